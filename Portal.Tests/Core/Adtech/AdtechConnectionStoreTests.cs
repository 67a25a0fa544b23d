using Microsoft.EntityFrameworkCore;
using Portal.Core.Adtech;
using Portal.Core.Audit;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

public sealed class AdtechConnectionStoreTests : DatabaseTest
{
    private const string Secret = "s3cr3t-token-value-ABC";

    [Fact]
    public async Task Save_AsAdmin_StoresTheTokenEncryptedAndGivesItBackToTheRun()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();
        await store.SaveAsync("adtechA", "https://api.adtech-a.example/v2", "42", Secret, CoreHost.Admin);

        var connection = await store.GetAsync("adtechA");
        Assert.NotNull(connection);
        Assert.Equal(Secret, connection.AccessToken);
        Assert.Equal("https://api.adtech-a.example/v2/", connection.BaseUrl.ToString());
        Assert.Equal("42", connection.AccountId);
        Assert.DoesNotContain(Secret, connection.ToString(), StringComparison.Ordinal);

        await using var db = await host.DbAsync();
        var stored = await db.Database.SqlQueryRaw<string>("SELECT protected_token AS \"Value\" FROM adtech_connections").SingleAsync();
        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);

        var info = Assert.Single(await store.ListAsync());
        Assert.True(info.HasToken);
        var (audit, _) = await host.Get<AuditLog>().ListAsync("adtech", 0, 10);
        Assert.DoesNotContain(audit, a => (a.Details ?? "").Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Save_GoogleAdsExtras_StoresTheDeveloperTokenEncryptedAndTheManagerAccountAsDigits()
    {
        const string developerToken = "dev-T0ken-XYZ-123";
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();
        await store.SaveAsync("googleAds", "https://googleads.example/", "123-456-7890", Secret, CoreHost.Admin, new ConnectionExtras(developerToken, "111-222-3333"));
        await store.SaveAsync("googleAds", "https://googleads.example/", "123-456-7890", null, CoreHost.Admin, new ConnectionExtras(null, "111-222-3333"));

        var connection = await store.GetAsync("googleAds");
        Assert.Equal((developerToken, "1112223333"), (connection!.DeveloperToken, connection.LoginCustomerId));
        Assert.DoesNotContain(developerToken, connection.ToString(), StringComparison.Ordinal);
        var info = Assert.Single(await store.ListAsync());
        Assert.True(info.HasDeveloperToken);

        await using var db = await host.DbAsync();
        var stored = await db.Database.SqlQueryRaw<string>("SELECT protected_developer_token AS \"Value\" FROM adtech_connections").SingleAsync();
        Assert.DoesNotContain(developerToken, stored, StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<ConnectionValidationException>(() =>
            store.SaveAsync("googleAds", "https://googleads.example/", null, null, CoreHost.Admin, new ConnectionExtras(null, "mcc-one")));
        Assert.Equal(nameof(ConnectionExtras.LoginCustomerId), ex.Field);
    }

    [Theory]
    [InlineData(null, null, "dataManager")]
    [InlineData("dataManager", null, "dataManager")]
    [InlineData("googleAds", "googleAds", "googleAds")]
    public async Task Save_GoogleApiChoice_StoredAndGivenToTheRunDefaultingToDataManager(string? chosen, string? stored, string used)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();

        await store.SaveAsync("googleAds", "https://datamanager.googleapis.com/", "123-456-7890", Secret, CoreHost.Admin, new ConnectionExtras(Api: chosen));

        var connection = await store.GetAsync("googleAds");
        Assert.Equal((stored, used), (connection!.Api, GoogleApi.Of(connection)));
        Assert.Equal(stored, Assert.Single(await store.ListAsync()).Api);
    }

    [Theory]
    [InlineData("googleAds", "adWords")]
    [InlineData("meta", "googleAds")]
    public async Task Save_UnknownApiOrNotGoogle_IsRefusedNamingTheApiField(string key, string api)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();

        var ex = await Assert.ThrowsAsync<ConnectionValidationException>(() =>
            store.SaveAsync(key, "https://api.example/", "1", Secret, CoreHost.Admin, new ConnectionExtras(Api: api)));

        Assert.Equal(nameof(ConnectionExtras.Api), ex.Field);
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task Save_WithoutToken_KeepsTheStoredOne()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();
        await store.SaveAsync("adtechB", "https://b.example/", null, Secret, CoreHost.Admin);
        await store.SaveAsync("adtechB", "https://b.example", "acct", null, CoreHost.Admin);
        var connection = await store.GetAsync("adtechB");
        Assert.Equal(Secret, connection!.AccessToken);
        Assert.Equal(("https://b.example/", "acct"), (connection.BaseUrl.ToString(), connection.AccountId));
    }

    [Fact]
    public async Task Save_NewBaseUrlWithoutTheToken_IsRefusedAndTheTokenStaysWithItsUrl()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();
        await store.SaveAsync("adtechB", "https://b.example/", null, Secret, CoreHost.Admin);

        var ex = await Assert.ThrowsAsync<ConnectionValidationException>(() => store.SaveAsync("adtechB", "https://collector.example/", "acct", null, CoreHost.Admin));

        Assert.Equal(nameof(AdtechConnection.AccessToken), ex.Field);
        Assert.Equal("The API base URL changed from https://b.example/ to https://collector.example/: enter the access token again " +
            "(a stored token is only sent to the URL it was saved with).", ex.Message);
        var kept = await store.GetAsync("adtechB");
        Assert.Equal(("https://b.example/", Secret, null), (kept!.BaseUrl.ToString(), kept.AccessToken, kept.AccountId));

        await store.SaveAsync("adtechB", "https://b2.example/", "acct", "new-token", CoreHost.Admin);
        var moved = await store.GetAsync("adtechB");
        Assert.Equal(("https://b2.example/", "new-token"), (moved!.BaseUrl.ToString(), moved.AccessToken));
    }

    [Fact]
    public async Task Save_GoogleAdsNewBaseUrlWithoutTheDeveloperToken_IsRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();
        await store.SaveAsync("googleAds", "https://googleads.example/", "1234567890", Secret, CoreHost.Admin, new ConnectionExtras("dev-token"));

        var ex = await Assert.ThrowsAsync<ConnectionValidationException>(() =>
            store.SaveAsync("googleAds", "https://elsewhere.example/", "1234567890", "new-token", CoreHost.Admin, new ConnectionExtras()));

        Assert.Equal(nameof(ConnectionExtras.DeveloperToken), ex.Field);
        Assert.Contains("enter the developer token again", ex.Message, StringComparison.Ordinal);
        Assert.Equal("https://googleads.example/", (await store.GetAsync("googleAds"))!.BaseUrl.ToString());
    }

    [Theory]
    [InlineData("http://api.adtech-a.example/", "must use https")]
    [InlineData("http://127.0.0.1:9/", "must use https")]
    [InlineData("https://127.0.0.1:9/", "loopback address")]
    [InlineData("https://10.1.2.3/", "private address")]
    [InlineData("https://169.254.169.254/latest/", "cloud metadata address")]
    [InlineData("https://[fd00:ec2::254]/", "cloud metadata address")]
    public async Task Save_BaseUrlNotHttpsOrInternal_IsRefusedNamingTheReason(string url, string reason)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<ConnectionValidationException>(() => host.Get<AdtechConnectionStore>().SaveAsync("adtechA", url, "42", Secret, CoreHost.Admin));

        Assert.Equal("BaseUrl", ex.Field);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Get<AdtechConnectionStore>().ListAsync());
    }

    [Fact]
    public async Task Save_HttpToAnAllowedHost_IsStored()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Outbound:AllowedHosts:0"] = "127.0.0.1:5080" });

        await host.Get<AdtechConnectionStore>().SaveAsync("adtechA", "http://127.0.0.1:5080/sandbox", "42", Secret, CoreHost.Admin);

        Assert.Equal("http://127.0.0.1:5080/sandbox/", (await host.Get<AdtechConnectionStore>().GetAsync("adtechA"))!.BaseUrl.ToString());
        await Assert.ThrowsAsync<ConnectionValidationException>(() => host.Get<AdtechConnectionStore>().SaveAsync("adtechB", "http://127.0.0.1:5081/", null, Secret, CoreHost.Admin));
    }

    [Fact]
    public async Task Save_AsMarketer_IsRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            host.Get<AdtechConnectionStore>().SaveAsync("adtechA", "https://a.example/", null, Secret, CoreHost.Marketer));
        Assert.Empty(await host.Get<AdtechConnectionStore>().ListAsync());
    }

    [Theory]
    [InlineData("adtechZ", "https://a.example/", "Key")]
    [InlineData("adtechA", "ftp://a.example/", "BaseUrl")]
    [InlineData("adtechA", "not a url", "BaseUrl")]
    public async Task Save_BadInput_NamesTheFieldAndStoresNothing(string key, string url, string field)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var ex = await Assert.ThrowsAsync<ConnectionValidationException>(() => host.Get<AdtechConnectionStore>().SaveAsync(key, url, null, Secret, CoreHost.Admin));
        Assert.Equal(field, ex.Field);
        Assert.Empty(await host.Get<AdtechConnectionStore>().ListAsync());
    }

    [Fact]
    public async Task Get_NoStoredConnection_FallsBackToConfiguration()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?>
        {
            ["Adtech:Connections:adtechA:BaseUrl"] = "https://configured.example/",
            ["Adtech:Connections:adtechA:AccessToken"] = "from-env",
        });
        var connection = await host.Get<IAdtechConnections>().GetAsync("adtechA");
        Assert.Equal("from-env", connection!.AccessToken);
        Assert.Null(await host.Get<IAdtechConnections>().GetAsync("adtechB"));
    }
}
