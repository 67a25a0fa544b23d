using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Core.Data;

namespace Portal.Core.Rules;

/// <summary>A saved segment as the builder's membership picker lists it.</summary>
public sealed record SegmentChoice(long SegmentId, long RuleId, string Name, long RowCount);

/// <summary>
/// The values the condition builder offers in its pickers: known categories, merchants, cities, segments. Categories,
/// merchants and cities are distinct values over the customer tables (seconds at ten million transactions), so they
/// are read once and kept: read again after an import into those tables (<see cref="CustomerDataVersion"/>, whose
/// next reader waits for the new values), and in the background once older than <see cref="MaxAge"/> (for writes
/// another instance made; meanwhile readers get the kept values at once). Segments and rules are read on each call.
/// Thread-safe; one instance for the app.
/// </summary>
public sealed class RuleVocabulary(IDbContextFactory<PortalDbContext> dbFactory, CustomerDataVersion version, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private Kept? _kept;
    private Reading? _reading;

    public async Task<IReadOnlyList<string>> CategoriesAsync(CancellationToken cancellationToken = default) =>
        (await CustomerValuesAsync(cancellationToken)).Categories;

    /// <summary>Credit-card merchants (and UPI descriptions, which stand for the merchant of a UPI payment).</summary>
    public async Task<IReadOnlyList<string>> MerchantsAsync(CancellationToken cancellationToken = default) =>
        (await CustomerValuesAsync(cancellationToken)).Merchants;

    public async Task<IReadOnlyList<string>> CitiesAsync(CancellationToken cancellationToken = default) =>
        (await CustomerValuesAsync(cancellationToken)).Cities;

    /// <summary>
    /// Reads the customer values now unless kept, so that the first rule editor opened after a start finds them (the
    /// portal calls it once the database is ready). A failure is left for the next reader to try again.
    /// </summary>
    public Task WarmAsync(CancellationToken cancellationToken = default) => CustomerValuesAsync(cancellationToken);

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

    /// <summary>The kept values when they are of the current version (starting a background read when old), else the values a read started after the last change gives.</summary>
    private Task<CustomerValues> CustomerValuesAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var current = version.Value;
            if (_kept is { } kept && kept.Version == current)
            {
                if (clock.GetUtcNow() - kept.ReadAt > MaxAge && _reading is null)
                {
                    _reading = Start(current);
                }

                return Task.FromResult(kept.Values);
            }

            // A read started before the last change may miss what it brought: this caller waits for one started after.
            if (_reading is not { } reading || reading.Version != current)
            {
                _reading = reading = Start(current);
            }

            return reading.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts a read on its own (not cancelled with the caller who started it: others may wait for it too); called under the lock.</summary>
    private Reading Start(long current)
    {
        var readAt = clock.GetUtcNow();
        return new Reading(current, Task.Run(async () =>
        {
            try
            {
                var values = await ReadAsync();
                lock (_lock)
                {
                    // A slower, older read never replaces a newer one.
                    if (_kept is null || _kept.Version < current || (_kept.Version == current && _kept.ReadAt < readAt))
                    {
                        _kept = new Kept(values, current, readAt);
                    }

                    if (_reading?.Version == current)
                    {
                        _reading = null;
                    }
                }

                return values;
            }
            catch
            {
                lock (_lock)
                {
                    // Failed: the next caller tries again.
                    if (_reading?.Version == current)
                    {
                        _reading = null;
                    }
                }

                throw;
            }
        }));
    }

    private async Task<CustomerValues> ReadAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var categories = (await db.CreditCardTransactions.Select(t => t.Category).Distinct().ToListAsync())
            .Union(await db.UpiTransactions.Select(t => t.Category).Distinct().ToListAsync())
            .Order(StringComparer.Ordinal).ToList();
        // The first thousand of each table by name (without an order, which thousand would be the database's choice).
        var merchants = (await db.CreditCardTransactions.Select(t => t.Merchant).Distinct().OrderBy(m => m).Take(1000).ToListAsync())
            .Union(await db.UpiTransactions.Select(t => t.Description).Distinct().OrderBy(d => d).Take(1000).ToListAsync())
            .Order(StringComparer.Ordinal).ToList();
        var cities = await db.Customers.Select(c => c.City).Distinct().OrderBy(c => c).Take(1000).ToListAsync();
        return new CustomerValues(categories, merchants, cities);
    }

    private sealed record CustomerValues(IReadOnlyList<string> Categories, IReadOnlyList<string> Merchants, IReadOnlyList<string> Cities);

    private sealed record Kept(CustomerValues Values, long Version, DateTimeOffset ReadAt);

    private sealed record Reading(long Version, Task<CustomerValues> Task);
}
