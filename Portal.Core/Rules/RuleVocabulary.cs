using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Rules;

/// <summary>A saved segment as the builder's membership picker lists it.</summary>
public sealed record SegmentChoice(long SegmentId, long RuleId, string Name, long RowCount);

/// <summary>The values the condition builder offers in its pickers: known categories, merchants, cities, segments.</summary>
public sealed class RuleVocabulary(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<IReadOnlyList<string>> CategoriesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cards = await db.CreditCardTransactions.Select(t => t.Category).Distinct().ToListAsync(cancellationToken);
        var upi = await db.UpiTransactions.Select(t => t.Category).Distinct().ToListAsync(cancellationToken);
        return cards.Union(upi).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Credit-card merchants (and UPI descriptions, which stand for the merchant of a UPI payment).</summary>
    public async Task<IReadOnlyList<string>> MerchantsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cards = await db.CreditCardTransactions.Select(t => t.Merchant).Distinct().Take(1000).ToListAsync(cancellationToken);
        var upi = await db.UpiTransactions.Select(t => t.Description).Distinct().Take(1000).ToListAsync(cancellationToken);
        return cards.Union(upi).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<string>> CitiesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Customers.Select(c => c.City).Distinct().OrderBy(c => c).Take(1000).ToListAsync(cancellationToken);
    }

    /// <summary>Saved segments, except the one of <paramref name="exceptRuleId"/> (a rule cannot test its own segment).</summary>
    public async Task<IReadOnlyList<SegmentChoice>> SegmentsAsync(long? exceptRuleId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Segments.Where(s => s.RuleId != (exceptRuleId ?? 0)).OrderBy(s => s.Name)
            .Select(s => new SegmentChoice(s.Id, s.RuleId, s.Name, s.RowCount)).ToListAsync(cancellationToken);
    }

    /// <summary>Other rules, for "depends on".</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> RulesAsync(long? exceptRuleId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.Rules.Where(r => r.Id != (exceptRuleId ?? 0)).OrderBy(r => r.Name).Select(r => new { r.Id, r.Name }).ToListAsync(cancellationToken);
        return rules.Select(r => (r.Id, r.Name)).ToList();
    }
}
