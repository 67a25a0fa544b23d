using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// Which keys the customer tables already hold, for imports that load into them: LINQ over the tables' primary keys,
/// so the SQL is parameterized and fits both providers. Keys in <paramref name="replaced"/> (those of a file a forced
/// re-import replaces, whose rows leave the table at the commit) count as not stored.
/// </summary>
internal sealed class TableLookup(IDbContextFactory<PortalDbContext> dbFactory, IReadOnlySet<long>? replaced = null)
{
    /// <summary>Values per IN list: far below SQL Server's 2,100 parameters.</summary>
    private const int Chunk = 1000;

    /// <summary>The table's primary key: what the lookups read, and what a load counts the table's rows by.</summary>
    internal static IQueryable<long> Keys(PortalDbContext db, string table) => table switch
    {
        DatasetCatalog.Users => db.Customers.AsNoTracking().Select(c => c.UserId),
        DatasetCatalog.CreditCardTransactions => db.CreditCardTransactions.AsNoTracking().Select(t => t.TransactionId),
        DatasetCatalog.UpiTransactions => db.UpiTransactions.AsNoTracking().Select(t => t.TransactionId),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Not a table that uploads load."),
    };

    /// <summary>
    /// The given keys that the table already has. One range count first (new keys usually lie beyond the stored ones,
    /// and then that is all it takes); when the range holds a few stored keys they are read at once, else looked up a
    /// chunk at a time.
    /// </summary>
    public async Task<HashSet<long>> ExistingAsync(string table, ReadOnlyMemory<long> keys, CancellationToken cancellationToken)
    {
        var found = new HashSet<long>();
        if (keys.IsEmpty)
        {
            return found;
        }

        long min = long.MaxValue, max = long.MinValue;
        foreach (var key in keys.Span)
        {
            min = Math.Min(min, key);
            max = Math.Max(max, key);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var inRange = Keys(db, table).Where(k => k >= min && k <= max);
        var stored = await inRange.LongCountAsync(cancellationToken);
        if (stored == 0)
        {
            return found;
        }

        var wanted = new HashSet<long>(keys.ToArray());
        if (stored <= 4L * keys.Length)
        {
            await foreach (var key in inRange.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                if (wanted.Contains(key))
                {
                    found.Add(key);
                }
            }
        }
        else
        {
            foreach (var chunk in wanted.Chunk(Chunk))
            {
                found.UnionWith(await Keys(db, table).Where(k => chunk.Contains(k)).ToListAsync(cancellationToken));
            }
        }

        if (replaced is { Count: > 0 })
        {
            found.ExceptWith(replaced);
        }

        return found;
    }

    /// <summary>Every key of the table, sorted (8 bytes each): what references to it are checked against.</summary>
    public async Task<long[]> AllKeysAsync(string table, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await SortedKeysAsync(db, table, cancellationToken);
    }

    /// <summary>Every key of the table, in order, read on the context's connection (and in its transaction, when it has one).</summary>
    public static async Task<long[]> SortedKeysAsync(PortalDbContext db, string table, CancellationToken cancellationToken) =>
        await Keys(db, table).OrderBy(k => k).ToArrayAsync(cancellationToken);
}
