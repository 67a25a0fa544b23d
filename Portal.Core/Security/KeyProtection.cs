using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Security;

/// <summary>
/// Data Protection for the portal: keys kept in the database (<see cref="DatabaseKeyRepository"/>) so that stored
/// credentials and sign-in cookies survive restarts and work on every instance sharing the database, encrypted at rest
/// with a certificate when one is configured.
/// </summary>
public static class KeyProtection
{
    public static void AddPortalDataProtection(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(KeyProtectionOptions.Section).Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        var keys = new DirectoryInfo(Path.Combine(contentRoot, "data", "keys"));
        var builder = services.AddDataProtection().SetApplicationName("AudiencePortal");
        services.ReadKeyRingWhenNeeded();
        services.AddOptions<KeyManagementOptions>().Configure<IDbContextFactory<PortalDbContext>, ILoggerFactory>((o, dbFactory, loggers) =>
            o.XmlRepository = new DatabaseKeyRepository(dbFactory, keys.Exists ? new FileSystemXmlRepository(keys, loggers) : null));
        var protectedAtRest = !string.IsNullOrWhiteSpace(options.CertificatePath);
        if (protectedAtRest)
        {
            // The same certificate decrypts the keys again: ProtectKeysWithCertificate registers it for decryption too.
            builder.ProtectKeysWithCertificate(Load(options, contentRoot));
        }

        services.AddHostedService(sp => new KeyProtectionWarning(sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<ILogger<KeyProtectionWarning>>(), protectedAtRest));
    }

    /// <summary>
    /// Takes out the framework's eager read of the key ring as the host starts. The key ring lives in the database, which
    /// start-up migrates in the background (PortalInitializer), so on a new database that read failed (no table yet) and
    /// logged errors; the key ring is read when first needed instead (a request or a job, once the database is ready).
    /// Call it after every registration that adds Data Protection (authentication and antiforgery add it again).
    /// </summary>
    public static void ReadKeyRingWhenNeeded(this IServiceCollection services)
    {
        foreach (var eager in services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList())
        {
            services.Remove(eager);
        }
    }

    private static X509Certificate2 Load(KeyProtectionOptions options, string contentRoot)
    {
        var path = Path.IsPathRooted(options.CertificatePath!) ? options.CertificatePath! : Path.Combine(contentRoot, options.CertificatePath!);
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException("the file holds no private key, so the keys it encrypts could not be decrypted again.");
            }

            return certificate;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"{KeyProtectionOptions.Section}:CertificatePath '{path}' could not be used to protect the Data Protection keys: {ex.Message}", ex);
        }
    }
}

/// <summary>At start in Production, warns when the Data Protection keys lie in the database unencrypted, and says what is at risk.</summary>
public sealed class KeyProtectionWarning(IHostEnvironment environment, ILogger<KeyProtectionWarning> logger, bool protectedAtRest)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsProduction() && !protectedAtRest)
        {
            logger.LogWarning(
                "The Data Protection keys in the database are stored unencrypted: anyone who can read its data_protection_keys table can decrypt the stored " +
                "adtech credentials and forge sign-in cookies. Set {Section}:CertificatePath (a .pfx file) and {Section}:CertificatePassword " +
                "to encrypt them at rest.", KeyProtectionOptions.Section, KeyProtectionOptions.Section);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
