namespace Portal.Core.Security;

/// <summary>
/// The <c>DataProtection</c> configuration section. The Data Protection keys encrypt the stored adtech credentials and
/// sign the sign-in cookies; with a certificate they are themselves encrypted on disk.
/// </summary>
public sealed class KeyProtectionOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file whose certificate encrypts the keys at rest; relative paths are under the content root.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The .pfx file's password (from a secret store or an environment variable, not from appsettings.json).</summary>
    public string? CertificatePassword { get; set; }
}
