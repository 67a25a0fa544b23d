using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>Members for sync tests, and the oracle's view of them: a member is the set of its hashed identifiers.</summary>
public static class MirrorMembers
{
    public static NormalizationOptions India { get; } = new(Country.TryGet("IN", out var india) ? india : throw new InvalidOperationException("IN is unknown"));

    /// <summary>Member <paramref name="i"/>: an email, a +91 mobile and a PIN code, all derived from the number.</summary>
    public static Member Numbered(int i) => new([$"Member{i}@Example.com"], [$"+91 98{i:D8}"], [$"{560_000 + (i % 1000):D6}"]);

    /// <summary>A member as the oracle sees it: each field's hex hashes sorted, fields in order (independent of the sync's records).</summary>
    public static string Identity(HashedMember member) =>
        string.Join('|', new[] { member.Emails, member.Phones, member.Zips }.Select(values => string.Join(',', values.Order(StringComparer.Ordinal))));

    /// <summary>The identities of members as a sync should leave them at the adtech (hashed as <paramref name="options"/> says, empty ones left out).</summary>
    public static HashSet<string> Expected(IEnumerable<Member> members, NormalizationOptions? options = null)
    {
        var stats = new HashStats();
        return members.Select(m => stats.Hash(m, options ?? India)).Where(h => !h.IsEmpty).Select(Identity).ToHashSet(StringComparer.Ordinal);
    }
}
