namespace Portal.Core.Audiences;

/// <summary>The state-file block keys that configure an adtech, and the values their settings may take.</summary>
public static class AdtechKeys
{
    public const string AdtechA = "adtechA";
    public const string AdtechB = "adtechB";
    public const string Meta = "meta";
    public const string GoogleAds = "googleAds";

    public static readonly IReadOnlyList<string> All = [AdtechA, AdtechB, Meta, GoogleAds];

    /// <summary>An adtech block's cron (UTC) for syncing the audience there on a schedule; absent: no scheduled sync.</summary>
    public const string SyncSchedule = "sync_schedule";

    /// <summary>An adtech block's <c>false</c> turns off the sync that follows each refresh of the audience's segment.</summary>
    public const string SyncAfterRefresh = "sync_after_refresh";

    /// <summary>AdtechA's <c>audience_type</c> enum, as the seed declares it.</summary>
    public static readonly IReadOnlyList<string> AdtechAAudienceTypes = ["TYPE_X"];

    /// <summary>AdtechB's <c>expiration_time</c>: 0 to 540 days, or exactly 1000 for no expiry.</summary>
    public static bool IsValidExpiration(int days) => days is >= 0 and <= 540 or 1000;

    /// <summary>The settings a new block of <paramref name="key"/> starts with, besides its name.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> DefaultSettings(string key) => key switch
    {
        AdtechA => [new("audience_type", AdtechAAudienceTypes[0])],
        AdtechB => [new("expiration_time", "1000")],
        GoogleAds => [new("membership_life_span", MaxMembershipLifeSpan.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        _ => [],
    };

    public static string DisplayName(string key) => key switch
    {
        AdtechA => "AdtechA",
        AdtechB => "AdtechB",
        Meta => "Meta",
        GoogleAds => "Google Ads",
        _ => key,
    };

    /// <summary>
    /// Google Ads' <c>membership_life_span</c> (days on the list): 0 to 540; state files may still say 10000 (the "no
    /// expiry" Google no longer accepts), which is sent as 540.
    /// </summary>
    public static bool IsValidMembershipLifeSpan(int days) => days is >= 0 and <= MaxMembershipLifeSpan or UnlimitedMembershipLifeSpan;

    /// <summary>The longest membership Google takes (days), and the default when a state file gives none.</summary>
    public const int MaxMembershipLifeSpan = 540;

    /// <summary>
    /// The days a Google list keeps a member, from a state file's <c>membership_life_span</c>: its value, at most
    /// <see cref="MaxMembershipLifeSpan"/> (a former "no expiry", 10000, is Google's longest now); the longest when unset.
    /// </summary>
    public static int MembershipLifeSpan(string? setting) =>
        int.TryParse(setting, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var days)
            ? Math.Min(days, MaxMembershipLifeSpan)
            : MaxMembershipLifeSpan;

    /// <summary>The former "no expiry" for CRM-based user lists, still read in state files and sent as <see cref="MaxMembershipLifeSpan"/>.</summary>
    public const int UnlimitedMembershipLifeSpan = 10_000;
}
