namespace Portal.Core.Audiences;

/// <summary>The <c>Audiences</c> configuration section.</summary>
public sealed class AudienceOptions
{
    public const string Section = "Audiences";

    /// <summary>
    /// The country (ISO 3166-1 alpha-2) of an audience whose state file names none: phones without a country code get
    /// its calling code and postal codes follow its rule. Unset, such an audience is not uploaded (nothing is guessed).
    /// </summary>
    public string? DefaultCountry { get; set; }

    /// <summary>
    /// How old (seconds) the audience index's last reconcile with the bucket may be before a page or API read
    /// reconciles it again (a listing of the bucket; only changed files are read). 0 reconciles before every read.
    /// </summary>
    public double IndexReconcileSeconds { get; set; } = 5;
}
