using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Accounts;
using Portal.Core.Data;

namespace Portal.Tests.TestSupport;

/// <summary>The whole web app (Program, AddPortal, UsePortal) on its own SQLite file and bucket, for HTTP-level tests.</summary>
public partial class PortalWebFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@tests.local";
    public const string AdminPassword = "Tests-Admin-Pass-1!";
    private readonly TestFolder _folder = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _folder.DatabaseSettings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Database:SeedDemoData", "false");
        builder.UseSetting("Portal:Admin:Email", AdminEmail);
        builder.UseSetting("Portal:Admin:Password", AdminPassword);
        builder.UseSetting("Coravel:Queue:ConsummationDelay", "1");
        // Tests write state files straight into the bucket and read at once: the index reconciles before every read.
        builder.UseSetting("Audiences:IndexReconcileSeconds", "0");
        // Every test client signs in from the same (unknown) address; the limit has its own tests.
        builder.UseSetting("Portal:SignIn:AttemptsPerWindow", "100000");
        // Its own bucket, inside the test folder, rather than the app's data/bucket under Portal/.
        builder.UseSetting("Bucket:Path", Path.Combine(_folder.Path, "bucket"));
        builder.ConfigureTestServices(ConfigureTestServices);
    }

    /// <summary>Changes to the app's services for a derived factory's tests (applied after the app's own).</summary>
    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    /// <summary>A client that keeps cookies and does not follow redirects.</summary>
    protected virtual HttpClient CreatePortalClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A client with its own cookies that sends the API's request proof header, as the portal's callers do.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var status = Services.GetRequiredService<DatabaseStatus>();
        var client = CreatePortalClient();
        client.DefaultRequestHeaders.Add(ApiRequestProof.HeaderName, ApiRequestProof.HeaderValue);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!status.IsReady)
        {
            Assert.True(DateTime.UtcNow < deadline, "the portal did not become ready: " + status.Message);
            await Task.Delay(25);
        }

        return client;
    }

    /// <summary>Makes a user with one role (as the Admin page would) and returns a client signed in as them.</summary>
    public async Task<HttpClient> SignedInClientAsync(string role)
    {
        var client = await ReadyClientAsync();
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}"[..20] + "@tests.local";
        const string password = "Role-User-Pass-1!";
        await Services.GetRequiredService<UserAdministration>()
            .CreateAsync(email, null, role, password, CoreHost.Admin);
        var response = await SignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Posts the real sign-in form (with its antiforgery token).</summary>
    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        PostFormAsync(client, "/account/login", "login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>Shows a page's form and posts it back with its antiforgery token, as a browser would.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, IReadOnlyDictionary<string, string> fields)
    {
        var form = await client.GetStringAsync(path);
        var token = TokenPattern().Match(form).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), $"the form at {path} carries an antiforgery token");
        var values = new Dictionary<string, string>(fields) { ["_handler"] = formName, ["__RequestVerificationToken"] = token };
        return await client.PostAsync(path, new FormUrlEncodedContent(values));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
