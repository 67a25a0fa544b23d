using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Api;

public sealed class DatabaseGateTests : DatabaseTest
{
    [Fact]
    public async Task Portal_UnknownProvider_KeepsRunningAndEveryPageSaysWhatIsWrong()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Database:Provider", "Oracle");
            b.UseSetting("ConnectionStrings:Sqlite", Folder.ConnectionString);
        });
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        HttpResponseMessage page;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            page = await client.GetAsync("/jobs");
        }
        while ((await page.Content.ReadAsStringAsync()).Contains("is starting", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("cannot use its database", html, StringComparison.Ordinal);
        Assert.Contains("Database:Provider is &#39;Oracle&#39;", html, StringComparison.Ordinal);
        Assert.Contains("Fix the setting, then restart the portal.", html, StringComparison.Ordinal);

        var api = await client.GetAsync("/api/jobs");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Contains("Oracle", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        Assert.False(File.Exists(Folder.DatabaseFile), "nothing was written anywhere");
    }
}
