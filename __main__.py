"""The Pulumi program: read configuration, validate realms/, build the Federation component, export."""

import pulumi

from trustcircle.deploy.program import build

federation = build(pulumi.Config("trustcircle"))
pulumi.export("objects", federation.object_count)
