using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audit;

public sealed class AuditLogTests : DatabaseTest
{
    private static async Task<AuditLog> WrittenAsync(CoreHost host)
    {
        var log = host.Get<AuditLog>();
        await log.WriteAsync("carol@tests.local", "rule.saved", "Tier one", null);
        await log.WriteAsync("alice@tests.local", "audience.created", "Tier one audience", null);
        await log.WriteAsync("bob@tests.local", "rule.deleted", "Tier two", null);
        await log.WriteAsync("alice@tests.local", "rule.saved", "Tier two", null);
        return log;
    }

    [Fact]
    public async Task ListAsync_NoSort_NewestFirstAPageAtATime()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var log = await WrittenAsync(host);

        var (page, total) = await log.ListAsync("rule.", 1, 2);

        Assert.Equal(3, total);
        Assert.Equal(["carol@tests.local"], page.Select(a => a.Actor));
        Assert.Equal(["alice@tests.local", "bob@tests.local"], (await log.ListAsync("rule.", 0, 2)).Items.Select(a => a.Actor));
    }

    [Fact]
    public async Task ListAsync_SortedByAColumn_OrdersInTheDatabaseTiesNewestFirst()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var log = await WrittenAsync(host);

        async Task<List<(string, string)>> Listed(AuditSortField field, bool descending, string? search = null) =>
            [.. (await log.ListAsync(search, 0, 10, new GridSort<AuditSortField>(field, descending))).Items.Select(a => (a.Actor, a.Action))];

        Assert.Equal([("alice@tests.local", "rule.saved"), ("alice@tests.local", "audience.created"), ("bob@tests.local", "rule.deleted"), ("carol@tests.local", "rule.saved")],
            await Listed(AuditSortField.Actor, false, "Tier"));
        Assert.Equal([("alice@tests.local", "rule.saved"), ("carol@tests.local", "rule.saved"), ("bob@tests.local", "rule.deleted")],
            await Listed(AuditSortField.Action, true, "rule."));
        Assert.Equal([("carol@tests.local", "rule.saved"), ("alice@tests.local", "audience.created"), ("bob@tests.local", "rule.deleted"), ("alice@tests.local", "rule.saved")],
            await Listed(AuditSortField.At, false, "Tier"));
    }
}
