using System.Diagnostics;
using System.Globalization;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Customers;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Bench;

/// <summary>
/// A segment refresh on a SQLite file of 1M users and 10M transactions (built once, then reused: <c>--file</c>), or on
/// a PostgreSQL database (<c>--postgresql "&lt;connection string&gt;"</c>, loaded by COPY when it lacks the users):
/// city tier 1, a gmail.com address, and over 5,000 spent by card on Travel in the last 90 days. Prints the
/// refresh time (SegmentRefresher: compile, delete + INSERT…SELECT, catalog and history, commit), the same query
/// written by hand and run straight on the file into a temporary table, their ratio, and the size-estimate time.
/// Runs alternate between the two, after one warm-up each; medians are compared.
/// </summary>
internal static class RefreshBench
{
    private const string RuleName = "bench: tier 1 gmail travel spenders";

    public static async Task<int> RunAsync(string[] args)
    {
        var users = 1_000_000;
        long transactions = 10_000_000;
        var runs = 9;
        string? file = null;
        string? postgreSql = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--users": users = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--transactions": transactions = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--file": file = args[i + 1]; break;
                case "--postgresql": postgreSql = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        file ??= Path.Combine(Path.GetTempPath(), "portal-bench", $"refresh-{users}-{transactions}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var provider = postgreSql is null ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql;
        var where = postgreSql is null ? file : "PostgreSQL " + new Npgsql.NpgsqlConnectionStringBuilder(postgreSql).Database;
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.Use(provider, postgreSql ?? $"Data Source={file}", commandTimeoutSeconds: 600);
        var factory = new Factory(options.Options);
        var generator = new DemoDataGenerator(DemoDataGenerator.EndFor(TimeProvider.System));
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.MigrateAsync();
            if (await db.Customers.LongCountAsync() != users)
            {
                Console.WriteLine($"Building {where}: {users:N0} users, {transactions:N0} transactions (once; later runs reuse it)");
                var load = await new CustomerDataLoader(factory).LoadAsync(generator, users, transactions);
                Console.WriteLine($"loaded in {(load.InsertTime + load.IndexTime).TotalSeconds:0} s");
            }
        }

        // "Now" is where the demo data ends, so the last 90 days hold transactions.
        var clock = new BenchClock(new DateTimeOffset(generator.End));
        var now = clock.GetUtcNow().UtcDateTime;
        var draft = new RuleDraft(RuleName, null, new GroupCondition("root", false, GroupLogic.And, [
            new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.Eq, ["1"]),
            new AttributeCondition("c2", false, RuleFields.EmailDomain, ConditionOperator.Eq, ["gmail.com"]),
            new AggregateCondition("c3", false, AggregateFunction.Sum, TransactionSource.CreditCard, ["Travel"], [], AggregateWindow.Days(90), ConditionOperator.Gt, ["5000"]),
        ]), null, null, null, [], null);
        var segmentId = await SaveRuleAsync(factory, draft, now);

        Console.WriteLine($"Segment refresh benchmark on {where} ({Environment.ProcessorCount} cores)");
        Console.WriteLine("rule: city_tier = 1 AND email_domain = gmail.com AND sum(amount; credit card; Travel; last 90 days) > 5000");
        Console.WriteLine(RuleCompiler.Compile(draft, provider, now).Readable);

        var refresher = new SegmentRefresher(factory, clock, NullLogger<SegmentRefresher>.Instance);
        await using DbConnection hand = postgreSql is null ? new SqliteConnection($"Data Source={file}") : new Npgsql.NpgsqlConnection(postgreSql);
        await hand.OpenAsync();
        await ExecAsync(hand, "CREATE TEMP TABLE hand_members (user_id BIGINT NOT NULL)");
        const string handSql = """
            INSERT INTO hand_members (user_id)
            SELECT u.user_id
            FROM users u
            JOIN (SELECT user_id, SUM(amount) AS spent
                  FROM credit_card_transactions
                  WHERE category = @category AND transaction_date >= @from AND transaction_date <= @to
                  GROUP BY user_id) t ON t.user_id = u.user_id
            WHERE u.city_tier = @tier AND u.email LIKE @domain AND t.spent > @spent
            """;
        Console.WriteLine("by hand:\n" + handSql);
        var handParameters = new (string, object)[]
        {
            // SQLite keeps dates as text; PostgreSQL as timestamps.
            ("@category", "Travel"), ("@from", postgreSql is null ? Text(now.AddDays(-90)) : now.AddDays(-90)), ("@to", postgreSql is null ? Text(now) : now),
            ("@tier", 1), ("@domain", "%@gmail.com"), ("@spent", 5000),
        };

        var refreshTimes = new List<double>();
        var handTimes = new List<double>();
        long refreshRows = 0, handRows = 0;
        for (var run = 0; run <= runs; run++)
        {
            var watch = Stopwatch.StartNew();
            var report = await refresher.RefreshAsync(segmentId);
            watch.Stop();
            if (!report.Target.Succeeded)
            {
                Console.Error.WriteLine("refresh failed: " + report.Target.Error);
                return 1;
            }

            refreshRows = report.Target.RowCount ?? 0;
            var handWatch = Stopwatch.StartNew();
            await ExecAsync(hand, "DELETE FROM hand_members");
            handRows = await ExecAsync(hand, handSql, handParameters);
            handWatch.Stop();
            if (run > 0)
            {
                refreshTimes.Add(watch.Elapsed.TotalMilliseconds);
                handTimes.Add(handWatch.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"{(run == 0 ? "warm-up" : $"run {run}"),-8} refresh {watch.Elapsed.TotalMilliseconds,8:N0} ms   by hand {handWatch.Elapsed.TotalMilliseconds,8:N0} ms");
        }

        await ExecAsync(hand, "DELETE FROM hand_members");
        await ExecAsync(hand, handSql, handParameters);
        var differ = await ScalarAsync(hand, "SELECT (SELECT COUNT(*) FROM (SELECT user_id FROM hand_members EXCEPT SELECT user_id FROM segment_members WHERE segment_id = @id) a) + " +
                                             "(SELECT COUNT(*) FROM (SELECT user_id FROM segment_members WHERE segment_id = @id EXCEPT SELECT user_id FROM hand_members) b)", ("@id", segmentId));

        var estimator = new SegmentEstimator(factory, clock);
        var estimateTimes = new List<double>();
        SegmentEstimate? estimate = null;
        for (var run = 0; run <= runs; run++)
        {
            var watch = Stopwatch.StartNew();
            estimate = await estimator.EstimateAsync(draft);
            if (run > 0)
            {
                estimateTimes.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        var impact = await ImpactAsync(factory, clock, segmentId, draft, runs);

        var refresh = Median(refreshTimes);
        var byHand = Median(handTimes);
        Console.WriteLine($"members:                {refreshRows,10:N0} (by hand {handRows:N0}, {(differ == 0 ? "the same users" : $"{differ} users differ")})");
        Console.WriteLine($"refresh (median of {runs}): {refresh,10:N0} ms   (min {refreshTimes.Min():N0})");
        Console.WriteLine($"by hand (median of {runs}): {byHand,10:N0} ms   (min {handTimes.Min():N0})");
        Console.WriteLine($"ratio refresh / by hand:{refresh / byHand,10:0.00}      (target <= 1.25; of the fastest runs {refreshTimes.Min() / handTimes.Min():0.00})");
        Console.WriteLine($"estimate (median of {runs}):{Median(estimateTimes),9:N0} ms   (target <= 2,000; total {estimate!.Total:N0}, blocks {string.Join(", ", estimate.Children.Select(c => $"{c.Key} {c.Value:N0}"))})");
        Console.WriteLine($"impact (median of {runs}):  {impact.Median,9:N0} ms   (target <= 2,000; {impact.Figures})");
        SqliteConnection.ClearAllPools();
        return differ == 0 && refreshRows == handRows ? 0 : 1;
    }

    /// <summary>
    /// The impact preview of an edit (spend over 6,000 instead of 5,000, tier 1 or 2: some join, some leave) on an audience fed by the
    /// refreshed segment and on one fed through a combined segment (the bench segment minus tier 2 users).
    /// </summary>
    private static async Task<(double Median, string Figures)> ImpactAsync(Factory factory, TimeProvider clock, long segmentId, RuleDraft draft, int runs)
    {
        long ruleId;
        await using (var db = factory.CreateDbContext())
        {
            ruleId = await db.Segments.Where(s => s.Id == segmentId).Select(s => s.RuleId).SingleAsync();
        }

        var combined = draft with
        {
            Name = RuleName + " (combined)",
            Root = new GroupCondition("root", false, GroupLogic.And, [new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.Eq, ["2"])]),
            DependsOn = [ruleId],
            Operation = SetOperation.Difference,
        };
        var combinedSegment = await SaveRuleAsync(factory, combined, clock.GetUtcNow().UtcDateTime);
        await new SegmentRefresher(factory, clock, NullLogger<SegmentRefresher>.Instance).RefreshAsync(combinedSegment);
        var bucketFolder = Path.Combine(Path.GetTempPath(), "portal-bench-impact-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var bucket = new Portal.Core.Audiences.LocalBucket(bucketFolder);
            await bucket.WriteTextAsync("state/bench_direct.yml", $"bench_direct:\n  description: Bench.\n  source:\n    segment: '{RuleName}'\n  adtechB:\n    name: Bench\n    id: '17'\n    expiration_time: 1000\n", null);
            await bucket.WriteTextAsync("state/bench_combined.yml", $"bench_combined:\n  description: Bench.\n  source:\n    segment: '{combined.Name}'\n  adtechB:\n    name: Bench\n    id: '18'\n    expiration_time: 1000\n", null);
            var service = new SegmentImpact(factory, Portal.Core.Audiences.AudienceQueries.Standalone(factory, bucket), clock);
            var edited = draft with
            {
                Root = new GroupCondition("root", false, GroupLogic.And, [
                    new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.In, ["1", "2"]),
                    new AttributeCondition("c2", false, RuleFields.EmailDomain, ConditionOperator.Eq, ["gmail.com"]),
                    new AggregateCondition("c3", false, AggregateFunction.Sum, TransactionSource.CreditCard, ["Travel"], [], AggregateWindow.Days(90), ConditionOperator.Gt, ["6000"]),
                ]),
            };
            var times = new List<double>();
            ImpactPreview? preview = null;
            for (var run = 0; run <= runs; run++)
            {
                var watch = Stopwatch.StartNew();
                preview = await service.PreviewAsync(ruleId, edited);
                if (run > 0)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            return (Median(times), string.Join("; ", preview!.Rows.Select(r => $"{r.Audience}/{r.Adtech} +{r.Added:N0} -{r.Removed:N0} ={r.Unchanged:N0}")));
        }
        finally
        {
            Directory.Delete(bucketFolder, recursive: true);
        }
    }

    /// <summary>The benchmark's rule and segment, replacing those of an earlier run.</summary>
    private static async Task<long> SaveRuleAsync(Factory factory, RuleDraft draft, DateTime now)
    {
        await using var db = factory.CreateDbContext();
        var old = await db.Rules.Where(r => r.Name == draft.Name).Select(r => r.Id).ToListAsync();
        await db.Segments.Where(s => old.Contains(s.RuleId)).ExecuteDeleteAsync();
        await db.Rules.Where(r => old.Contains(r.Id)).ExecuteDeleteAsync();
        var rule = new Rule
        {
            Name = draft.Name, Conditions = ConditionJson.Write(draft.Root), DependsOn = [.. draft.DependsOn], Operation = draft.Operation,
            CreatedAt = now, CreatedBy = "bench", UpdatedAt = now, UpdatedBy = "bench",
        };
        db.Rules.Add(rule);
        await db.SaveChangesAsync();
        var segment = new Segment { RuleId = rule.Id, Name = draft.Name, Status = SegmentStatus.NeverRun };
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        return segment.Id;
    }

    private static string Text(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<int> ExecAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private sealed class BenchClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
