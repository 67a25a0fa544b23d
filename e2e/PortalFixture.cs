using System.Diagnostics;
using System.Reflection;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Playwright;

namespace Portal.E2E;

/// <summary>
/// Starts the built portal (the real app, its own SQLite file, demo data) on a free loopback port, and Debian's
/// Chromium through Playwright. Shared by every browser test in the collection.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string AdminEmail = "admin@e2e.test";
    public const string AdminPassword = "E2e-Admin-Pass-1!";

    private readonly StringBuilder _output = new();
    private Process? _app;
    private string? _folder;

    public string BaseUrl { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public string ArtifactsFolder { get; } = Path.Combine(RepositoryRoot(), "e2e", "artifacts");

    public string AppOutput
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ArtifactsFolder);
        _folder = Path.Combine(Path.GetTempPath(), "portal-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var dll = PortalDll();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", BaseUrl])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(_folder, "e2e.db")}";
        start.Environment["Portal__Admin__Email"] = AdminEmail;
        start.Environment["Portal__Admin__Password"] = AdminPassword;
        start.Environment["Database__DemoUsers"] = "3000";
        start.Environment["Database__DemoTransactions"] = "60000";
        start.Environment["Bucket__Path"] = Path.Combine(_folder, "bucket");
        start.Environment["Sandbox__Enabled"] = "true";
        _app = Process.Start(start) ?? throw new InvalidOperationException("Could not start the portal.");
        _app.OutputDataReceived += (_, e) => Append(e.Data);
        _app.ErrorDataReceived += (_, e) => Append(e.Data);
        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();
        await WaitForHealthyAsync();

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (no cookies) with a page at the given size.</summary>
    public async Task<IPage> NewPageAsync(int width = 1440, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        Playwright?.Dispose();
        if (_app is { HasExited: false })
        {
            _app.Kill(entireProcessTree: true);
            await _app.WaitForExitAsync();
        }

        _app?.Dispose();
        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
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

    private async Task WaitForHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_app!.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with code {_app.ExitCode}:\n{AppOutput}");
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

        throw new TimeoutException($"The portal was not healthy within 120 s:\n{AppOutput}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The Portal build of the same configuration as this test assembly (Debug or Release).</summary>
    private static string PortalDll()
    {
        var configuration = typeof(PortalFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(RepositoryRoot(), "Portal", "bin", configuration, "net10.0", "Portal.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first; the portal is not at " + path);
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
