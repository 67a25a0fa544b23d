using Microsoft.Extensions.Configuration;

namespace Portal.Core.Adtech;

/// <summary>Where and as whom to call one adtech: its API base URL, account and access token. Never written to YAML or logs.</summary>
public sealed record AdtechConnection(string Key, Uri BaseUrl, string? AccountId, string? AccessToken)
{
    /// <summary>Google Ads: the <c>developer-token</c> header. A credential, stored encrypted like the access token.</summary>
    public string? DeveloperToken { get; init; }

    /// <summary>Google Ads: the manager account the calls are made through (<c>login-customer-id</c>), when there is one.</summary>
    public string? LoginCustomerId { get; init; }

    /// <summary>Google: which API the calls go to (<see cref="GoogleApi"/>); unset is the Data Manager API.</summary>
    public string? Api { get; init; }

    public override string ToString() => $"{Key} at {BaseUrl} (account {AccountId ?? "-"})";
}

/// <summary>
/// The credential store seam. The database-backed, Data Protection-encrypted store managed on the Connectors page
/// replaces the configuration-backed one that the catalog run uses now.
/// </summary>
public interface IAdtechConnections
{
    Task<AdtechConnection?> GetAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>
/// Connections from configuration (<c>Adtech:Connections:&lt;key&gt;:BaseUrl|AccountId|AccessToken</c>, and for Google Ads
/// <c>DeveloperToken|LoginCustomerId|Api</c>), e.g. environment variables.
/// </summary>
public sealed class ConfiguredAdtechConnections(IConfiguration configuration) : IAdtechConnections
{
    public Task<AdtechConnection?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var section = configuration.GetSection($"Adtech:Connections:{key}");
        var url = section["BaseUrl"];
        return Task.FromResult(Uri.TryCreate(url, UriKind.Absolute, out var baseUrl)
            ? new AdtechConnection(key, baseUrl, section["AccountId"], section["AccessToken"])
            {
                DeveloperToken = section["DeveloperToken"],
                LoginCustomerId = section["LoginCustomerId"],
                Api = section["Api"],
            }
            : null);
    }
}
