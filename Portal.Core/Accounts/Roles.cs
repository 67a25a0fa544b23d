namespace Portal.Core.Accounts;

/// <summary>The three roles and what each may do. Checked on the server, never only by hiding a button.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Marketer = "Marketer";
    public const string Viewer = "Viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Marketer, Viewer];

    /// <summary>Roles that may queue, retry and cancel jobs.</summary>
    public const string Operators = Admin + "," + Marketer;
}

/// <summary>Authorization policy names, registered by <c>AddPortal()</c>.</summary>
public static class Policies
{
    public const string RunJobs = "RunJobs";

    /// <summary>Admin or Marketer: changes rules and segments (viewers read them).</summary>
    public const string Operator = "Operator";
    public const string Admin = "Admin";
}
