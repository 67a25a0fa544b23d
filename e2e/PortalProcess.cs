using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace Portal.E2E;

/// <summary>
/// The built portal (<c>dotnet Portal.dll</c>) in a child process on a free loopback port, configured by environment
/// variables, ready once <c>/health</c> says Healthy; its output kept; killed with its children on dispose. Used by
/// the browser tests' fixture and, linked into bench/Portal.Bench and Portal.Tests, by the lineage benchmark and the
/// tests of several instances on one database.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PortalProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>The portal's process id (the lineage benchmark reads its memory).</summary>
    public int ProcessId => _process.Id;

    /// <summary>What the portal printed so far (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="dll"/> in Production with these environment variables; waits until it is healthy.</summary>
    public static async Task<PortalProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> environment, TimeSpan healthyWithin)
    {
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", baseUrl])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var portal = new PortalProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the portal."), baseUrl);
        portal._process.OutputDataReceived += (_, e) => portal.Append(e.Data);
        portal._process.ErrorDataReceived += (_, e) => portal.Append(e.Data);
        portal._process.BeginOutputReadLine();
        portal._process.BeginErrorReadLine();
        try
        {
            await portal.WaitForHealthyAsync(healthyWithin);
            return portal;
        }
        catch
        {
            await portal.DisposeAsync();
            throw;
        }
    }

    /// <summary>The folder holding Portal.sln, above <see cref="AppContext.BaseDirectory"/>.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// The Portal build of the configuration this file was built in (Debug or Release): it is compiled into the browser
    /// tests, Portal.Tests and the benchmark, each of which builds the portal first in its own configuration.
    /// </summary>
    public static string PortalDll()
    {
        var configuration = typeof(PortalProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(RepositoryRoot(), "Portal", "bin", configuration, "net10.0", "Portal.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first; the portal is not at " + path);
    }

    /// <summary>Kills the portal at once, as <c>kill -9</c> does (SIGKILL): no shutdown runs, nothing is released.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitForHealthyAsync(TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetStringAsync($"{BaseUrl}/health")).Contains("Healthy", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The portal was not healthy within {within.TotalSeconds:0} s:\n{Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
