"""The Pulumi program: pick the platform from the stack configuration, build it, export."""

import pulumi

config = pulumi.Config("trustcircle")
if config.get("platform") == "k8s":
    from trustcircle.k8s.program import build as build_cluster

    cluster = build_cluster(config)
    pulumi.export("url", cluster.url)
else:
    from trustcircle.deploy.program import build

    federation = build(config)
    pulumi.export("objects", federation.object_count)
