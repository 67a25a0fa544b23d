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
}
