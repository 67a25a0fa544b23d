using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Security;

/// <summary>
/// Data Protection for the portal: keys kept with the data (<c>data/keys</c> under the content root) so that stored
/// credentials and sign-in cookies survive restarts, encrypted at rest with a certificate when one is configured.
/// </summary>
public static class KeyProtection
{
    public static void AddPortalDataProtection(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(KeyProtectionOptions.Section).Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        var keys = new DirectoryInfo(Path.Combine(contentRoot, "data", "keys"));
        var builder = services.AddDataProtection()
            .SetApplicationName("AudiencePortal")
            .PersistKeysToFileSystem(keys);
        var protectedAtRest = !string.IsNullOrWhiteSpace(options.CertificatePath);
        if (protectedAtRest)
        {
            // The same certificate decrypts the keys again: ProtectKeysWithCertificate registers it for decryption too.
            builder.ProtectKeysWithCertificate(Load(options, contentRoot));
        }

        services.AddHostedService(sp => new KeyProtectionWarning(sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<ILogger<KeyProtectionWarning>>(), keys.FullName, protectedAtRest));
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

/// <summary>At start in Production, warns when the Data Protection keys lie on disk unencrypted, and says what is at risk.</summary>
public sealed class KeyProtectionWarning(IHostEnvironment environment, ILogger<KeyProtectionWarning> logger, string keysFolder, bool protectedAtRest)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsProduction() && !protectedAtRest)
        {
            logger.LogWarning(
                "The Data Protection keys in {KeysFolder} are stored unencrypted: anyone who can read that folder can decrypt the stored " +
                "adtech credentials and forge sign-in cookies. Set {Section}:CertificatePath (a .pfx file) and {Section}:CertificatePassword " +
                "to encrypt them at rest.", keysFolder, KeyProtectionOptions.Section, KeyProtectionOptions.Section);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
