namespace Portal.Core.Adtech;

/// <summary>
/// The two APIs a Google Customer Match connection can use (<see cref="AdtechConnection.Api"/>): the Data Manager API,
/// Google's route for Customer Match (the default), or the Google Ads API, which takes Customer Match uploads only from
/// accounts Google allowlisted (others get CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE).
/// </summary>
public static class GoogleApi
{
    public const string DataManager = "dataManager";
    public const string GoogleAds = "googleAds";

    public static IReadOnlyList<string> All { get; } = [DataManager, GoogleAds];

    /// <summary>The API of a connection: its own choice, or the Data Manager API when it names none.</summary>
    public static string Of(AdtechConnection connection) => string.IsNullOrWhiteSpace(connection.Api) ? DataManager : connection.Api.Trim();

    public static string DisplayName(string api) => api == GoogleAds ? "Google Ads API (allowlisted accounts)" : "Data Manager API";
}
