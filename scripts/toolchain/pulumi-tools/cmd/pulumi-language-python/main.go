// Command pulumi-language-python is trustcircle's Python language host for the Pulumi engine.
//
// Pulumi's own host lives in a Go module of its own
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) that is never tagged and that
// the Go module proxy this project builds from does not serve, so scripts/toolchain/pulumi.sh builds
// this one instead, from the same sdk/v3 module version as the CLI. It does what running a Python
// program needs: it resolves the project's Python (plain, virtualenv, poetry or uv) with sdk/v3's
// python/toolchain package, runs the program through the pulumi-language-python-exec shim that
// ships in the sdk module (installed beside this binary), reports the Pulumi packages installed in
// that environment as required plugins, installs dependencies (`pulumi install`) and answers
// `pulumi about`. Code generation, packing, linking, Python-based plugins and debugger attachment
// are not implemented: the engine is told so (gRPC Unimplemented).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	// The shim that runs a Pulumi Python program; installed next to this binary.
	execShimName = "pulumi-language-python-exec"
	// Exit code with which the shim says it already printed an error the user can act on.
	exitAfterUserMessage = 32
	// How often the engine is checked for liveness; the host stops when the engine is gone.
	engineHealthInterval = 5 * time.Minute
)

func main() {
	tracingEndpoint := flag.String("tracing", "", "emit tracing to this Zipkin-compatible endpoint")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	executor := flag.String("use-executor", "", "path of the exec shim to use instead of the one beside this binary")
	flag.Parse() // -v and -logtostderr (sent by the engine with --logflow) are registered by the logging library

	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false) // takes -v and -logtostderr from the flags
	cmdutil.InitTracing("pulumi-language-python", "pulumi-language-python", *tracingEndpoint)

	shim := *executor
	if shim == "" {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("cannot find this executable's path: %w", err))
		}
		shim = filepath.Join(filepath.Dir(self), execShimName)
	}
	if _, err := os.Stat(shim); err != nil {
		cmdutil.Exit(fmt.Errorf("the Python exec shim is missing (%w); reinstall with scripts/toolchain/pulumi.sh", err))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	stopServing := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stopServing)
	}()

	h := newHost(shim, flag.Arg(0), *tracingEndpoint, ctx, stop)
	if h.engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, h.engineAddress, engineHealthInterval, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("cannot watch the engine's health: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopServing,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("cannot start the language host's gRPC server: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("the language host's gRPC server stopped: %w", err))
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	shim          string
	engineAddress string
	tracing       string

	serverCtx  context.Context    // ends when the host shuts down
	stopServer context.CancelFunc // shuts the host down

	runCtx    context.Context // ends when the engine calls Cancel
	cancelRun context.CancelFunc
}

func newHost(shim, engineAddress, tracing string, serverCtx context.Context, stopServer context.CancelFunc) *host {
	runCtx, cancelRun := context.WithCancel(context.Background())
	return &host{
		shim: shim, engineAddress: engineAddress, tracing: tracing,
		serverCtx: serverCtx, stopServer: stopServer,
		runCtx: runCtx, cancelRun: cancelRun,
	}
}

// pythonOptions reads the `runtime.options` of Pulumi.yaml (virtualenv, toolchain, typechecker).
func pythonOptions(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.PythonOptions, error) {
	if info == nil {
		return toolchain.PythonOptions{}, errors.New("the engine sent no program information")
	}
	opts := toolchain.PythonOptions{Root: info.RootDirectory, ProgramDir: info.ProgramDirectory}
	raw := map[string]any{}
	if info.Options != nil {
		raw = info.Options.AsMap()
	}
	str := func(key string) (string, error) {
		v, ok := raw[key]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("runtime option %q must be a string, got %v", key, v)
		}
		return s, nil
	}

	var err error
	if opts.Virtualenv, err = str("virtualenv"); err != nil {
		return opts, err
	}
	tc, err := str("toolchain")
	if err != nil {
		return opts, err
	}
	switch tc {
	case "":
		opts.Toolchain = toolchain.Auto
	case "pip":
		opts.Toolchain = toolchain.Pip
	case "poetry":
		opts.Toolchain = toolchain.Poetry
	case "uv":
		opts.Toolchain = toolchain.Uv
	default:
		return opts, fmt.Errorf("runtime option toolchain=%q is not one of pip, poetry, uv", tc)
	}
	checker, err := str("typechecker")
	if err != nil {
		return opts, err
	}
	switch checker {
	case "":
		opts.Typechecker = toolchain.TypeCheckerNone
	case "mypy":
		opts.Typechecker = toolchain.TypeCheckerMypy
	case "pyright":
		opts.Typechecker = toolchain.TypeCheckerPyright
	default:
		return opts, fmt.Errorf("runtime option typechecker=%q is not one of mypy, pyright", checker)
	}
	// Plugins never run in the ambient Python: like Pulumi's own host, default them to ./venv.
	if isPlugin && opts.Virtualenv == "" && (opts.Toolchain == toolchain.Auto || opts.Toolchain == toolchain.Pip) {
		opts.Virtualenv = "venv"
	}
	return opts, nil
}

func resolve(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.PythonOptions, toolchain.Toolchain, error) {
	opts, err := pythonOptions(info, isPlugin)
	if err != nil {
		return opts, nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	return opts, tc, err
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	if err := rpcutil.Healthcheck(h.serverCtx, h.engineAddress, engineHealthInterval, h.stopServer); err != nil {
		return nil, fmt.Errorf("cannot watch the engine's health: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelRun()
	return &emptypb.Empty{}, nil
}

// Run runs the Pulumi program: python <shim> --monitor … <entry point> <args>.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.engineAddress == "" {
		return nil, errors.New("no engine address: pass it as the first argument or call Handshake before Run")
	}
	if req.GetAttachDebugger() {
		return nil, errors.New("attaching a debugger is not supported by trustcircle's Python language host")
	}
	opts, tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	if err := typecheck(ctx, tc, opts); err != nil {
		return nil, err
	}

	cmdCtx, cancelCmd := context.WithCancel(h.runCtx)
	defer cancelCmd()
	defer context.AfterFunc(ctx, cancelCmd)()
	cmd, err := tc.Command(cmdCtx, append([]string{h.shim}, h.shimArgs(req)...)...)
	if err != nil {
		return nil, err
	}
	cmd.Cancel = func() error { // give the program a chance to shut down cleanly
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr

	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if req.GetConfig() != nil {
		config, err := json.Marshal(req.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("cannot encode the stack's configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(config))
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the secret configuration keys: %w", err)
	}
	cmd.Env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(keys))

	logging.V(5).Infof("running Python program: %s", strings.Join(cmd.Args, " "))
	err = cmd.Run()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	// Let the engine see everything the program wrote before the error.
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() > 0:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program was stopped: %v", exitErr)}, nil
	default:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("could not run the Python program through %s: %v", h.shim, err),
		}, nil
	}
}

// shimArgs builds the command line that pulumi-language-python-exec parses.
func (h *host) shimArgs(req *pulumirpc.RunRequest) []string {
	var args []string
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", req.GetMonitorAddress())
	flagIfSet("engine", h.engineAddress)
	flagIfSet("project", req.GetProject())
	flagIfSet("root_directory", req.GetInfo().GetRootDirectory())
	flagIfSet("stack", req.GetStack())
	flagIfSet("pwd", req.GetPwd())
	flagIfSet("dry_run", fmt.Sprint(req.GetDryRun()))
	flagIfSet("parallel", fmt.Sprint(req.GetParallel()))
	flagIfSet("tracing", h.tracing)
	flagIfSet("organization", req.GetOrganization())
	entryPoint := req.GetInfo().GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	args = append(args, entryPoint)
	return append(args, req.GetArgs()...)
}

// typecheck runs mypy or pyright over the program directory when Pulumi.yaml asks for it.
func typecheck(ctx context.Context, tc toolchain.Toolchain, opts toolchain.PythonOptions) error {
	var checker string
	switch opts.Typechecker {
	case toolchain.TypeCheckerMypy:
		checker = "mypy"
	case toolchain.TypeCheckerPyright:
		checker = "pyright"
	default:
		return nil
	}
	args := []string{"-m", checker}
	if checker == "mypy" {
		if venv, err := tc.VirtualEnvPath(ctx); err == nil && venv != "" {
			if rel, err := filepath.Rel(opts.ProgramDir, venv); err == nil {
				args = append(args, "--exclude", rel)
			}
		}
	}
	cmd, err := tc.Command(ctx, append(args, opts.ProgramDir)...)
	if err != nil {
		return err
	}
	cmd.Dir = opts.ProgramDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("typechecker %s failed (is it installed in the program's environment?): %w\n%s",
			checker, err, out)
	}
	return nil
}

// Scans the installed distributions for pulumi-plugin.json (written into every generated Pulumi SDK) and
// prints what it finds as JSON: [{"dist": …, "version": …, "plugin": {…}}].
const pluginScanScript = `
import importlib.metadata, json, sys
found = []
for dist in importlib.metadata.distributions():
    for f in dist.files or ():
        if f.name != "pulumi-plugin.json" or len(f.parts) != 2:
            continue
        try:
            with open(dist.locate_file(f), encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            continue
        found.append({"dist": dist.metadata["Name"] or "", "version": dist.version or "", "plugin": data})
json.dump(found, sys.stdout)
`

// Package versions that are also plugin versions; pre-releases (1.2.3a4, …) cannot be mapped with certainty.
var plainVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

type scannedPlugin struct {
	Dist    string                  `json:"dist"`
	Version string                  `json:"version"`
	Plugin  plugin.PulumiPluginJSON `json:"plugin"`
}

// GetRequiredPackages tells the engine which resource plugins the installed Pulumi SDKs need. A program
// that only uses the core SDK (and dynamic providers) needs none, so nothing is ever downloaded for it.
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	_, tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", pluginScanScript)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return nil, fmt.Errorf("listing the Pulumi packages in the Python environment failed: %w\n%s",
				err, exitErr.Stderr)
		}
		return nil, fmt.Errorf("listing the Pulumi packages in the Python environment failed: %w", err)
	}
	var scanned []scannedPlugin
	if err := json.Unmarshal(out, &scanned); err != nil {
		return nil, fmt.Errorf("cannot read the list of Pulumi packages: %w", err)
	}

	packages := []*pulumirpc.PackageDependency{}
	for _, s := range scanned {
		p := s.Plugin
		if !p.Resource {
			continue
		}
		name := p.Name
		if name == "" {
			name = strings.TrimPrefix(strings.ReplaceAll(strings.ToLower(s.Dist), "_", "-"), "pulumi-")
		}
		ver := p.Version
		if ver == "" {
			// Only plain X.Y.Z package versions map onto plugin versions with certainty.
			if !plainVersion.MatchString(s.Version) {
				logging.V(5).Infof("skipping %s: cannot derive a plugin version from %q", s.Dist, s.Version)
				continue
			}
			ver = s.Version
		}
		if !strings.HasPrefix(ver, "v") {
			ver = "v" + ver
		}
		dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: ver, Server: p.Server}
		if pp := p.Parameterization; pp != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{Name: pp.Name, Version: pp.Version, Value: pp.Value}
		}
		if pp := p.ExtensionParameterization; pp != nil {
			dep.Extension = &pulumirpc.PackageParameterization{Name: pp.Name, Version: pp.Version, Value: pp.Value}
		}
		packages = append(packages, dep)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// InstallDependencies serves `pulumi install`: creates the virtualenv if needed and installs the project's
// requirements with its toolchain.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	_, tc, err := resolve(req.GetInfo(), req.GetIsPlugin())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(),
		req.GetUseLanguageVersionTools(), true /* showOutput */, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

// RuntimeOptionsPrompts asks nothing: `pulumi new` keeps the template's runtime options as they are.
func (h *host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *host) Template(ctx context.Context, req *pulumirpc.TemplateRequest) (*pulumirpc.TemplateResponse, error) {
	_, tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := tc.PrepareProject(ctx, req.GetProjectName(), req.GetInfo().GetProgramDirectory(),
		false /* showOutput */, nil, nil); err != nil {
		return nil, err
	}
	return &pulumirpc.TemplateResponse{}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Pip}
	if req.GetInfo() != nil {
		var err error
		if opts, err = pythonOptions(req.GetInfo(), false); err != nil {
			return nil, err
		}
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
		Metadata: map[string]string{
			"toolchain":        toolchain.Name(opts.Toolchain),
			"toolchainVersion": info.ToolchainVersion.String(),
			"typechecker":      toolchain.TypeCheckerName(opts.Typechecker),
			"languageHost":     "trustcircle",
		},
	}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	_, tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	pkgs, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("cannot list the program's Python packages: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(pkgs))
	for _, p := range pkgs {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
