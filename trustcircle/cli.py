"""The ``trustcircle`` command line. Only parses arguments and dispatches to the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from trustcircle.attestations.commands import add_attestation_commands
from trustcircle.audit.commands import add_audit_commands
from trustcircle.cli_args import DIFF_DESCRIPTION, DIFF_EPILOG, iso_date, today
from trustcircle.cli_shell import Version, add_shell_commands, failure, quietly
from trustcircle.consistency.commands import add_consistency_commands
from trustcircle.errors import ConfigurationError, TrustcircleError
from trustcircle.rotation.commands import add_rotation_commands
from trustcircle.supervision.commands import add_supervision_commands

Handler = Callable[[argparse.Namespace], int]
DESCRIPTION = "Federated circles of trust for public-sector agents, as code, on Keycloak."


def _local_up(args: argparse.Namespace) -> int:
    from trustcircle.local.server import LocalKeycloak

    target = LocalKeycloak().up()
    print(f"Keycloak ready at {target.url} (CA: {target.ca_bundle})")
    return 0


def _local_down(args: argparse.Namespace) -> int:
    from trustcircle.local.server import LocalKeycloak

    print("stopped" if LocalKeycloak().down() else "not running")
    return 0


def _local_status(args: argparse.Namespace) -> int:
    from trustcircle.local.server import LocalKeycloak

    status = LocalKeycloak().status()
    print(json.dumps(status, indent=2))
    return 0 if status["ready"] else 3


def _local_logs(args: argparse.Namespace) -> int:
    from trustcircle.local.server import LocalKeycloak

    print(LocalKeycloak().log_tail(args.lines))
    return 0


def _local_reset(args: argparse.Namespace) -> int:
    from trustcircle.local.server import LocalKeycloak

    LocalKeycloak().reset()
    print("local Keycloak stopped and its data deleted")
    return 0


def _cluster(args: argparse.Namespace) -> int:
    from trustcircle.local.cluster import LocalCluster

    cluster = LocalCluster()
    if args.action == "up":
        target = cluster.up()
        print(f"cluster ready at {target.url} (CA: {target.ca_bundle})")
    elif args.action == "down":
        print("stopped" if cluster.down() else "not running")
    elif args.action == "status":
        status = cluster.status()
        print(json.dumps(status, indent=2))
        nodes = status["nodes"]
        return 0 if status["balancer"] and isinstance(nodes, list) and all(n["ready"] for n in nodes) else 3
    elif args.action == "kill":
        cluster.node(args.node).kill()
        print(f"{args.node} killed (SIGKILL)")
    elif args.action == "start":
        cluster.start_node(args.node)
        print(f"{args.node} ready")
    elif args.action == "restart":
        print("restarted, one after the other: " + ", ".join(cluster.rolling_restart()))
    elif args.action == "reset":
        cluster.reset()
        print("cluster stopped and its data deleted")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.local.backup import create_backup
    from trustcircle.local.server import LocalKeycloak

    server = LocalKeycloak()
    report = create_backup(server.paths, keycloak_home=server.home, server=server,
                           output=Path(args.output) if args.output else None, restart=not args.leave_stopped)
    downtime = ("server left stopped" if args.leave_stopped
                else f"server stopped {report.downtime_s} s for a consistent copy" if report.downtime_s is not None
                else "server was not running")
    print(f"backup of the Keycloak {report.keycloak_version} federation: {report.path} "
          f"({report.files} files, {report.bytes / 1e6:.1f} MB; {downtime}); it holds keys and password "
          "hashes: keep it as you keep the server")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.local.backup import restore_backup
    from trustcircle.settings import Paths

    report = restore_backup(Path(args.file), Paths.from_env())
    print(f"restored the Keycloak {report.keycloak_version} federation backed up at {report.created} into "
          f"{report.state} ({report.files} files); start it with ./run up")
    return 0


def _local_certificate(args: argparse.Namespace) -> int:
    from trustcircle.local.ca import application_certificate, ensure_tls
    from trustcircle.settings import Paths

    tls = Paths.from_env().local / "tls"
    for value in (args.name, args.application or "x"):
        if value == "server" or not value.replace("-", "").isalnum():
            raise ConfigurationError(f"certificate name {value!r} is not allowed",
                                     "use letters, digits and -; 'server' is the local federation's own")
    if args.application:
        chain, key, subject = application_certificate(tls, args.application, args.name)
        print(json.dumps({"ca": str(tls / "ca.pem"), "certificate": str(chain), "key": str(key), "subject": subject}))
        return 0
    if not args.host:
        raise ConfigurationError("a server certificate needs its names", "give --host NAME (repeat), or "
                                 "--application ORGANISATION for an application's client certificate")
    files = ensure_tls(tls, args.host, name=args.name)
    print(json.dumps({"ca": str(files.ca_cert), "certificate": str(files.server_cert), "key": str(files.server_key)}))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from trustcircle.model.loader import check
    from trustcircle.model.summary import outcome

    code, stdout, stderr = outcome(check(args.paths, args.realms), args.format)
    if stdout:
        print(stdout)
    if stderr:
        print(stderr, file=sys.stderr)
    return code


def _schema(args: argparse.Namespace) -> int:
    from trustcircle.model import jsonschema, reference

    if args.check:
        stale = [str(p) for p, ok in ((jsonschema.SCHEMA_PATH, jsonschema.is_current()),
                                      (reference.REFERENCE_PATH, reference.is_current())) if not ok]
        if stale:
            print(f"out of date: {', '.join(stale)}; regenerate with: ./run schema", file=sys.stderr)
        return 1 if stale else 0
    jsonschema.write()
    reference.write()
    print(f"wrote {jsonschema.SCHEMA_PATH} and {reference.REFERENCE_PATH}")
    return 0


def _compile(args: argparse.Namespace) -> int:
    from trustcircle.compiler.compile import compile_federation
    from trustcircle.compiler.environment import Environment
    from trustcircle.model.loader import load_federation

    state = compile_federation(load_federation(args.paths), Environment(public_url=args.public_url))
    print(json.dumps([obj.as_dict() for obj in state], indent=2, ensure_ascii=False))
    return 0


def _review(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.model.loader import load_federation
    from trustcircle.review import render
    from trustcircle.review.matrix import access_rows, pending

    federation = load_federation(args.paths)
    on = args.on or today()
    rows, waiting = access_rows(federation, on), pending(federation)
    outputs = {"md": render.markdown(rows, waiting, on), "csv": render.to_csv(rows),
               "html": render.html(rows, waiting, on)}
    if args.output:
        directory = Path(args.output)
        directory.mkdir(parents=True, exist_ok=True)
        for suffix, text in outputs.items():
            (directory / f"access-matrix.{suffix}").write_text(text, encoding="utf-8")
        print(f"wrote {directory}/access-matrix.md, .csv and .html ({len(rows)} accesses)")
    else:
        print(outputs[args.format], end="")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.review.diff import render

    text, code = render(args.revisions, args.on or today(), Path(args.repo) if args.repo else None,
                        realms=args.realms.strip("/") or ".", worktree=args.worktree, fmt=args.format)
    print(text, end="")
    return code


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.leaks import redact
    from trustcircle.report import failure_lines, write
    from trustcircle.settings import REPO_ROOT

    cases = write(Path(args.junit), Path(args.output), REPO_ROOT)
    failed = failure_lines(cases)
    print(f"wrote {args.output}: {len(cases)} cases, {len(failed)} failed")
    for line in failed:
        print(redact(line))
    return 0


def _leaks(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.leaks import known_secrets, scan
    from trustcircle.settings import Paths

    findings = scan([Path(p) for p in args.paths], known_secrets(Paths.from_env().state))
    for finding in findings:
        print(finding.render(), file=sys.stderr)
    if findings:
        raise ConfigurationError(f"{len(findings)} place(s) hold key material or a credential",
                                 "find what wrote it there (a test message, a log line) and redact it at the source")
    print(f"no key material or credential in {', '.join(args.paths)}")
    return 0


def _deny_list(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.policy import deny_list

    changed = deny_list.install(Path(args.keycloak_home))
    print(f"{'wrote' if changed else 'unchanged'}: the breached-password deny-list of {args.keycloak_home}")
    return 0


def _policy_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.keycloak.admin import Admin
    from trustcircle.model.loader import load_federation
    from trustcircle.policy.report import compare, html_page, markdown
    from trustcircle.target import Target

    rows = compare(load_federation(args.paths), Admin(Target.load()))
    text = html_page(rows) if args.format == "html" else markdown(rows)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    gaps = [r for r in rows if r.status == "gap"]
    for gap in gaps:
        print(f"gap: {gap.realm}: {gap.setting} must be {gap.expected}, Keycloak has {gap.actual}", file=sys.stderr)
    return 1 if gaps else 0


def _recover(args: argparse.Namespace) -> int:
    from trustcircle.deploy.recover import recover
    from trustcircle.settings import REPO_ROOT

    if recover(args.stack, REPO_ROOT):
        print(f"cleared the lock left on stack {args.stack} by an interrupted pulumi run (its process is gone)",
              file=sys.stderr)
    return 0


def _apply(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.apply import STDIN, apply_realms, as_json, as_text, read_target

    target, target_path = read_target(args.target, sys.stdin.read() if args.target == STDIN else None)
    changes = apply_realms(Path(args.realms), target, target_path, dry_run=args.check)
    print(as_json(changes) if args.json else as_text(changes, args.check))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trustcircle", description=DESCRIPTION)
    parser.add_argument("--version", action=Version, nargs=0, help="print the version and exit")
    parser.set_defaults(applies=False)  # only commands that could have applied something say it was not
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    local = sub.add_parser("local", help="the local federation's Keycloak").add_subparsers(dest="action", required=True)
    local.add_parser("up", help="install, start and wait until ready (idempotent)").set_defaults(func=_local_up)
    local.add_parser("down", help="stop the server").set_defaults(func=_local_down)
    local.add_parser("status", help="print the state as JSON; exit 3 when not ready").set_defaults(func=_local_status)
    logs = local.add_parser("logs", help="print the end of the server log")
    logs.add_argument("-n", "--lines", type=int, default=80)
    logs.set_defaults(func=_local_logs)
    local.add_parser("reset", help="stop and delete all local data").set_defaults(func=_local_reset)
    cert = local.add_parser("certificate", help="a server certificate from the local CA (test hosts), or an "
                                                "application's client certificate; paths as JSON")
    cert.add_argument("name", help="file name stem under the local CA directory (not 'server'); with "
                                   "--application, the application's id")
    cert.add_argument("--host", action="append", help="DNS name or IP address (repeat): a server certificate")
    cert.add_argument("--application", metavar="ORGANISATION",
                      help="an application's client certificate for mutual TLS (CN=NAME,OU=applications,"
                           "O=ORGANISATION), issued by the local issuing CA into applications/ORGANISATION/")
    cert.set_defaults(func=_local_certificate)

    cluster = sub.add_parser("cluster", help="the local cluster (./run up --cluster): PostgreSQL, Keycloak nodes, "
                                             "nginx; in the cluster's state directory").add_subparsers(
        dest="action", required=True)
    cluster.add_parser("up", help="install, start and wait until every node is ready (idempotent)")
    cluster.add_parser("down", help="stop the load balancer, the nodes and the database")
    cluster.add_parser("status", help="print the state as JSON; exit 3 when a node is not ready")
    for action, text in (("kill", "kill a node with SIGKILL (a failover drill)"), ("start", "start a node again")):
        cluster.add_parser(action, help=text).add_argument("node", help="node-1, node-2 or node-3")
    cluster.add_parser("restart", help="rolling restart: each node drained, stopped, started, taken back")
    cluster.add_parser("reset", help="stop and delete all the cluster's data")
    for parser_ in cluster.choices.values():
        parser_.set_defaults(func=_cluster)

    backup = sub.add_parser("backup", help="one consistent archive of the local federation (database, keys, CA, "
                                           "audit trail, Pulumi state); the server pauses for the copy")
    backup.add_argument("--output", help="the archive to write (default: trustcircle-backups/ beside the state "
                                         "directory); never overwritten")
    backup.add_argument("--leave-stopped", action="store_true",
                        help="leave the server stopped after the copy (a backup before maintenance)")
    backup.set_defaults(func=_backup)
    restore = sub.add_parser("restore", help="restore a backup into an empty state directory (TRUSTCIRCLE_STATE), "
                                             "then ./run up starts it")
    restore.add_argument("file", help="an archive written by backup")
    restore.set_defaults(func=_restore)

    validate = sub.add_parser("validate", help="validate the declarative model (or some of its files, against the "
                                                "rest of their realms/ tree)")
    validate.add_argument("paths", nargs="*", default=["realms"])
    validate.add_argument("--realms", help="the realms/ tree to check the paths against (default: the nearest "
                                           "directory above them holding federation.yaml)")
    validate.add_argument("--format", choices=["human", "json", "github"], default="human",
                          help="human (default), json, or GitHub workflow annotations for pull requests")
    validate.set_defaults(func=_validate)

    schema = sub.add_parser("schema", help="write schema/trustcircle.schema.json and docs/reference.md from the model")
    schema.add_argument("--check", action="store_true", help="exit 1 when the committed schema is out of date")
    schema.set_defaults(func=_schema)

    review = sub.add_parser("review", help="the access matrix for auditors (Markdown, CSV, HTML)")
    review.add_argument("paths", nargs="*", default=["realms"])
    review.add_argument("--format", choices=["md", "csv", "html"], default="md")
    review.add_argument("--on", type=iso_date, help="date to evaluate validity on (YYYY-MM-DD; default today)")
    review.add_argument("--output", help="directory to write all three formats into")
    review.set_defaults(func=_review)

    diff = sub.add_parser("diff", help="every change to realms/ between two sides of a repository, in plain language",
                          description=DIFF_DESCRIPTION, epilog=DIFF_EPILOG,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    diff.add_argument("revisions", nargs="?", default="HEAD",
                      help="A..B (two revisions; an empty side means HEAD), A...B (what B changed since it left A: "
                           "a pull request), or A alone: A against the working tree (default: HEAD)")
    diff.add_argument("--worktree", action="store_true", help="compare the revision with the working tree "
                      "(uncommitted and untracked files included); the default for one revision")
    diff.add_argument("--repo", help="the git repository (default: the one the current directory is in)")
    diff.add_argument("--realms", default="realms", help="the model's path in the repository (default: realms)")
    diff.add_argument("--format", choices=["text", "markdown"], default="text",
                      help="text (default) or markdown (a pull-request comment)")
    diff.add_argument("--on", type=iso_date, help="date to evaluate validity on (YYYY-MM-DD; default today)")
    diff.set_defaults(func=_diff)

    comp = sub.add_parser("compile", help="print the desired Keycloak state as JSON")
    comp.add_argument("paths", nargs="*", default=["realms"])
    comp.add_argument("--public-url", default="https://127.0.0.1:8443")
    comp.set_defaults(func=_compile)

    app = sub.add_parser("apply", help="validate, compile and converge a target without Pulumi (Ansible uses it)")
    app.add_argument("--realms", default="realms", help="directory of the model (default: realms)")
    app.add_argument("--target", required=True,
                     help="target description file (url, ca_bundle, admin_credentials), or - to read it from stdin; "
                          "TRUSTCIRCLE_ADMIN_USERNAME/PASSWORD override the credentials file")
    app.add_argument("--check", action="store_true", help="change nothing; list what would change")
    app.add_argument("--json", action="store_true", help="print the changes as a JSON list")
    app.set_defaults(func=_apply, applies=True)

    add_audit_commands(sub)
    add_consistency_commands(sub)
    add_attestation_commands(sub)
    add_rotation_commands(sub)
    add_supervision_commands(sub)

    rep = sub.add_parser("report", help="a JUnit XML test run as a standalone HTML page")
    rep.add_argument("junit", nargs="?", default="reports/junit.xml")
    rep.add_argument("--output", default="reports/test-report.html")
    rep.set_defaults(func=_report)

    leaks = sub.add_parser("leaks", help="exit 1 when reports or logs hold private keys or this machine's credentials")
    leaks.add_argument("paths", nargs="*", default=["reports"])
    leaks.set_defaults(func=_leaks)

    policy = sub.add_parser("policy", help="access policies").add_subparsers(dest="action", required=True)
    pol = policy.add_parser("report", help="each realm's policy as Keycloak has it, against the model; exit 1 on a gap")
    pol.add_argument("paths", nargs="*", default=["realms"])
    pol.add_argument("--format", choices=["md", "html"], default="md")
    pol.add_argument("--output", help="write the report here instead of printing it")
    pol.set_defaults(func=_policy_report)
    deny = policy.add_parser("deny-list", help="write the breached-password deny-list into a Keycloak installation")
    deny.add_argument("keycloak_home", help="Keycloak's home folder (the list goes to data/password-blacklists/)")
    deny.set_defaults(func=_deny_list)

    rec = sub.add_parser("recover", help="clear a stack's lock left by a killed pulumi run (process gone)")
    rec.add_argument("--stack", default="local")
    rec.set_defaults(func=_recover)
    add_shell_commands(sub, build_parser)
    return parser


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    func: Handler = args.func
    try:
        return func(args)
    except TrustcircleError as err:
        print(failure(err, args), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a reader that stops reading (``| head``) ends it quietly (exit 141)."""
    return quietly(lambda: _run(argv))

