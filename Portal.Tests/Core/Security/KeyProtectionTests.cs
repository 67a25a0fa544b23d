using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Security;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Security;

public sealed class KeyProtectionTests : DatabaseTest
{
    private const string Password = "Test-Pfx-Pass-1";

    private string WriteCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Audience Portal keys (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var path = Path.Combine(Folder.Path, "keys.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }

    private string[] StoredKeys()
    {
        using var db = Folder.OpenDb();
        return [.. db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!)];
    }

    [Fact]
    public async Task Keys_WithCertificateConfigured_StoredEncryptedAndReadableAfterRestart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = WriteCertificate(),
            ["DataProtection:CertificatePassword"] = Password,
        };
        string secret;
        await using (var host = await CoreHost.StartAsync(Folder, settings: settings))
        {
            secret = host.Get<IDataProtectionProvider>().CreateProtector("tests").Protect("an adtech token");
        }

        var xml = Assert.Single(StoredKeys());
        Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted form", xml, StringComparison.Ordinal);

        await using var restarted = await CoreHost.StartAsync(Folder, settings: settings);
        Assert.Equal("an adtech token", restarted.Get<IDataProtectionProvider>().CreateProtector("tests").Unprotect(secret));
    }

    [Fact]
    public async Task Start_CertificateWithWrongPassword_FailsNamingTheSetting()
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = WriteCertificate(),
            ["DataProtection:CertificatePassword"] = "wrong",
        };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => CoreHost.StartAsync(Folder, settings: settings));

        Assert.Contains("DataProtection:CertificatePath", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", true)]
    [InlineData("Development", false)]
    public async Task Start_WithoutCertificate_WarnsInProductionOnly(string environment, bool warned)
    {
        var logs = new LogCapture();

        await using var host = await CoreHost.StartAsync(Folder, services: s => s.AddSingleton<ILoggerProvider>(logs), environment: environment);

        var warnings = logs.Entries.Where(e => e.Category == typeof(KeyProtectionWarning).FullName && e.Level == LogLevel.Warning).ToList();
        Assert.Equal(warned, warnings.Count == 1);
        if (warned)
        {
            Assert.Contains("stored unencrypted", warnings[0].Message, StringComparison.Ordinal);
            Assert.Contains("stored adtech credentials and forge sign-in cookies", warnings[0].Message, StringComparison.Ordinal);
            Assert.Contains("DataProtection:CertificatePath", warnings[0].Message, StringComparison.Ordinal);
        }

        host.Get<IDataProtectionProvider>().CreateProtector("tests").Protect("an adtech token");
        Assert.Contains("<masterKey", Assert.Single(StoredKeys()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OnANewDatabase_LogsNoFailureToReadTheKeyRing()
    {
        var logs = new LogCapture();

        await using var host = await CoreHost.StartAsync(Folder, services: s => s.AddSingleton<ILoggerProvider>(logs));
        host.Get<IDataProtectionProvider>().CreateProtector("tests").Protect("an adtech token");

        // The key ring is read when first needed, after start-up has made its table, not at start before that. (Other
        // errors are not this test's: on PostgreSQL, EF logs its first look for the migrations history table of a new database.)
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error
            && (e.Text.Contains("data_protection_keys", StringComparison.Ordinal) || e.Category.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal)));
        Assert.Single(StoredKeys());
    }

    [Fact]
    public async Task Keys_TwoInstancesOnOneDatabaseInDifferentFolders_ReadEachOthersProtectedData()
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = WriteCertificate(),
            ["DataProtection:CertificatePassword"] = Password,
        };
        using var otherFolder = new TestFolder();
        var sameDatabase = new Dictionary<string, string?>(settings.Concat(Folder.DatabaseSettings));
        await using var first = await CoreHost.StartAsync(Folder, settings: settings);
        var secret = first.Get<IDataProtectionProvider>().CreateProtector("tests").Protect("an adtech token");
        await using var second = await CoreHost.StartAsync(otherFolder, settings: sameDatabase);

        Assert.Equal("an adtech token", second.Get<IDataProtectionProvider>().CreateProtector("tests").Unprotect(secret));
        Assert.Single(StoredKeys());
    }

    [Fact]
    public async Task Keys_WrittenToTheFolderByAnEarlierVersion_StillReadAfterMovingToTheDatabase()
    {
        var folderKeys = new DirectoryInfo(Path.Combine(Folder.Path, "data", "keys"));
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("AudiencePortal").PersistKeysToFileSystem(folderKeys);
        string secret;
        await using (var earlier = services.BuildServiceProvider())
        {
            secret = earlier.GetRequiredService<IDataProtectionProvider>().CreateProtector("tests").Protect("an adtech token");
        }

        await using var host = await CoreHost.StartAsync(Folder);

        Assert.Equal("an adtech token", host.Get<IDataProtectionProvider>().CreateProtector("tests").Unprotect(secret));
        Assert.Empty(StoredKeys());
    }
}
