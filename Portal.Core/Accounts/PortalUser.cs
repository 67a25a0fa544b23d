using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Accounts;

/// <summary>A person who signs in to the portal (not a customer: those are <see cref="Customers.Customer"/>).</summary>
public sealed class PortalUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }
}
