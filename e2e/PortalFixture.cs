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

    /// <summary>The customers after start-up: the 3,000 generated, and the 40 of the demo's imported customers file.</summary>
    public const string DemoCustomers = "3,040";

    /// <summary>The transactions after start-up: the 60,000 generated, and the demo's files of 300 card and 300 UPI payments.</summary>
    public const string DemoTransactions = "60,600";

    /// <summary>Card transactions in the file the demo imports (dated in the last week): data health's rows kept before a test adds any.</summary>
    public const int DemoCardFileRows = 300;

    /// <summary>What the portal's own callers send with a state-changing API request (the API refuses it otherwise).</summary>
    public static readonly IReadOnlyDictionary<string, string> ApiHeaders = new Dictionary<string, string> { ["X-Requested-With"] = "portal" };

    private PortalProcess? _app;
    private string? _folder;

    public string BaseUrl => _app?.BaseUrl ?? "";
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public string ArtifactsFolder { get; } = Path.Combine(PortalProcess.RepositoryRoot(), "e2e", "artifacts");

    public string AppOutput => _app?.Output ?? "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ArtifactsFolder);
        _folder = Path.Combine(Path.GetTempPath(), "portal-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
        var environment = Environment(_folder, demoUsers: 3000, demoTransactions: 60000); // see DemoCustomers
        environment["Sandbox__Enabled"] = "true";
        _app = await PortalProcess.StartAsync(PortalProcess.PortalDll(), environment, TimeSpan.FromSeconds(120));

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// The settings a browser test's portal runs with: its own SQLite file and bucket in <paramref name="folder"/>, the
    /// test administrator, and demo data of this size.
    /// </summary>
    public static Dictionary<string, string> Environment(string folder, int demoUsers, int demoTransactions) => new()
    {
        ["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(folder, "e2e.db")}",
        ["Portal__Admin__Email"] = AdminEmail,
        ["Portal__Admin__Password"] = AdminPassword,
        ["Database__DemoUsers"] = demoUsers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Database__DemoTransactions"] = demoTransactions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Bucket__Path"] = Path.Combine(folder, "bucket"),
        // Every browser test signs in from 127.0.0.1; the limit has its own tests.
        ["Portal__SignIn__AttemptsPerWindow"] = "100000",
    };

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
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

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
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
