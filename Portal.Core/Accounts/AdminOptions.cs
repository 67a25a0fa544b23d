namespace Portal.Core.Accounts;

/// <summary>
/// <c>Portal:Admin</c>: the first administrator, created on a start that finds no admin. Set it with environment
/// variables (<c>Portal__Admin__Email</c>, <c>Portal__Admin__Password</c>), never in a committed file. Without a
/// password one is generated and printed once to the console.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Portal:Admin";

    public string Email { get; set; } = "admin@portal.local";
    public string? Password { get; set; }
}
