using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Customers;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Bench;

/// <summary>
/// A lineage like a big installation's, made of the portal's own entities so that <see cref="Portal.Core.Lineage.LineageBuilder"/>
/// builds it: N rules, each with its segment (most test attributes, some aggregate card, UPI or both transactions, some
/// test membership in an earlier segment, some combine earlier segments with a set operation), and N audiences as state
/// files in the bucket: most fed by a segment, a few by one of six HTTP endpoints, each exported to one or two adtechs.
/// Seeded, so the same N gives the same graph. No customers and no member files: only the lineage's shape matters.
/// </summary>
internal static class LineageGenerator
{
    private static readonly string[] Endpoints = ["crm-export/", "loyalty-api/", "web-events/", "partner-feed/", "app-signups/", "demo-endpoint/"];
    private static readonly string[] Domains = ["gmail.com", "yahoo.com", "outlook.com", "rediffmail.com", "hotmail.com"];
    private static readonly string[] Cities = ["Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Pune", "Kolkata", "Jaipur", "Lucknow", "Kochi"];
    private static readonly string[] Adtechs = [AdtechKeys.AdtechA, AdtechKeys.AdtechB, AdtechKeys.Meta, AdtechKeys.GoogleAds];

    public sealed record Result(int Rules, int Aggregates, int Combined, int Memberships, int Audiences, int FromEndpoints, int Exports);

    public static async Task<Result> GenerateAsync(IDbContextFactory<PortalDbContext> factory, IBucket bucket, int ruleCount, int seed = 2026)
    {
        var random = new Random(seed);
        var (segments, aggregates, combined, memberships) = await RulesAsync(factory, random, ruleCount);
        var (audiences, fromEndpoints, exports) = await WriteAudiencesAsync(random, bucket, segments, ruleCount);
        return new Result(ruleCount, aggregates, combined, memberships, audiences, fromEndpoints, exports);
    }

    /// <summary>Only the rules and their segments (ids 1 to N, on a database with none), for a fixture that writes its own audiences.</summary>
    public static async Task<IReadOnlyList<Segment>> GenerateRulesAsync(IDbContextFactory<PortalDbContext> factory, int ruleCount, int seed = 2026) =>
        (await RulesAsync(factory, new Random(seed), ruleCount)).Segments;

    private static async Task<(List<Segment> Segments, int Aggregates, int Combined, int Memberships)> RulesAsync(IDbContextFactory<PortalDbContext> factory, Random random, int ruleCount)
    {
        var now = new DateTime(2026, 11, 20, 6, 0, 0, DateTimeKind.Utc);
        var categories = DemoDataGenerator.CategoryNames;
        var rules = new List<Rule>(ruleCount);
        var segments = new List<Segment>(ruleCount);
        int aggregates = 0, combined = 0, memberships = 0;
        for (var i = 0; i < ruleCount; i++)
        {
            // Explicit ids on a fresh database: conditions and dependencies can name earlier segments and rules.
            var id = i + 1L;
            var category = categories[random.Next(categories.Count)];
            var tier = random.Next(1, 4);
            string name;
            var rule = new Rule { Id = id, Name = "", Conditions = "", CreatedAt = now, CreatedBy = "bench", UpdatedAt = now, UpdatedBy = "bench" };
            if (i >= 10 && random.NextDouble() < 0.12)
            {
                var operation = (SetOperation)random.Next(3);
                rule.DependsOn = Enumerable.Range(0, random.NextDouble() < 0.2 ? 3 : 2).Select(_ => (long)random.Next(1, i + 1)).Distinct().ToList();
                rule.Operation = operation;
                rule.Conditions = ConditionJson.Write(new GroupCondition("root", false, GroupLogic.And, []));
                name = $"{operation} of {string.Join(" & ", rule.DependsOn.Select(d => $"#{d}"))}";
                combined++;
            }
            else
            {
                var children = new List<ConditionNode>
                {
                    new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.Eq, [tier.ToString(CultureInfo.InvariantCulture)]),
                };
                if (random.NextDouble() < 0.5)
                {
                    children.Add(random.NextDouble() < 0.5
                        ? new AttributeCondition("c2", false, RuleFields.EmailDomain, ConditionOperator.Eq, [Domains[random.Next(Domains.Length)]])
                        : new AttributeCondition("c2", false, RuleFields.City, ConditionOperator.In, [Cities[random.Next(Cities.Length)], Cities[random.Next(Cities.Length)]]));
                }

                name = $"Tier {tier} {category}";
                if (random.NextDouble() < 0.35)
                {
                    var source = random.NextDouble() switch { < 0.5 => TransactionSource.CreditCard, < 0.8 => TransactionSource.Upi, _ => TransactionSource.Both };
                    var function = (AggregateFunction)random.Next(5);
                    children.Add(new AggregateCondition("c3", false, function, source, [category], [], AggregateWindow.Days(30 * random.Next(1, 7)),
                        ConditionOperator.Gt, [(100 * random.Next(1, 100)).ToString(CultureInfo.InvariantCulture)]));
                    name += $" {function} {source}";
                    aggregates++;
                }

                if (i >= 10 && random.NextDouble() < 0.06)
                {
                    var other = random.Next(1, i + 1);
                    children.Add(new SegmentCondition("c4", false, other, random.NextDouble() < 0.7 ? ConditionOperator.In : ConditionOperator.NotIn));
                    name += $" in #{other}";
                    memberships++;
                }

                rule.Conditions = ConditionJson.Write(new GroupCondition("root", false, GroupLogic.And, children));
                rule.Schedule = random.NextDouble() < 0.4 ? "0 2 * * *" : null;
            }

            rule.Name = $"{name} ({id:D4})";
            rules.Add(rule);
            segments.Add(NewSegment(random, rule, now));
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            db.Rules.AddRange(rules);
            db.Segments.AddRange(segments);
            await db.SaveChangesAsync();
        }

        return (segments, aggregates, combined, memberships);
    }

    private static Segment NewSegment(Random random, Rule rule, DateTime now)
    {
        var status = random.NextDouble() switch
        {
            < 0.75 => SegmentStatus.Fresh,
            < 0.85 => SegmentStatus.Stale,
            < 0.90 => SegmentStatus.Failed,
            _ => SegmentStatus.NeverRun,
        };
        var refreshed = status != SegmentStatus.NeverRun;
        return new Segment
        {
            Id = rule.Id, RuleId = rule.Id, Name = rule.Name, Status = status,
            RowCount = refreshed ? random.Next(50, 400_000) : 0,
            LastRefreshedAt = refreshed ? now.AddHours(-random.Next(1, 24 * 14)) : null,
            LastError = status == SegmentStatus.Failed ? "SQLite Error 5: 'database is locked'." : null,
        };
    }

    /// <summary>
    /// One audience per segment in a shuffled order, less the few fed by HTTP endpoints instead; one in twenty takes
    /// another segment at random (a segment feeding two audiences, and one feeding none).
    /// </summary>
    private static async Task<(int Audiences, int FromEndpoints, int Exports)> WriteAudiencesAsync(Random random, IBucket bucket, List<Segment> segments, int count)
    {
        var order = segments.ToArray();
        random.Shuffle(order);
        int fromEndpoints = 0, exports = 0;
        for (var j = 0; j < count; j++)
        {
            var name = $"aud_{j + 1:D4}";
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{name}:\n");
            var fetched = random.NextDouble() < 0.7;
            var date = fetched ? $"'202611{random.Next(1, 21):D2}'" : null;
            if (random.NextDouble() < 0.04)
            {
                var endpoint = Endpoints[random.Next(Endpoints.Length)];
                text.Append(CultureInfo.InvariantCulture, $"  description: Customers from {endpoint.TrimEnd('/')}.\n");
                text.Append(CultureInfo.InvariantCulture, $"  source:\n    endpoint: {endpoint}\n    params:\n      batch: {j}\n");
                fromEndpoints++;
            }
            else
            {
                var segment = random.NextDouble() < 0.05 ? segments[random.Next(segments.Count)] : order[j % order.Length];
                text.Append(CultureInfo.InvariantCulture, $"  description: {Quote($"Members of segment {segment.Name}.")}\n");
                text.Append(CultureInfo.InvariantCulture, $"  source:\n    segment: {Quote(segment.Name)}\n");
            }

            if (date is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"    last_response:\n      date: {date}\n      status: 200\n      message: 'Success'\n");
            }

            var first = random.Next(Adtechs.Length);
            var keys = random.NextDouble() < 0.15 ? new[] { Adtechs[first], Adtechs[(first + 1 + random.Next(Adtechs.Length - 1)) % Adtechs.Length] } : [Adtechs[first]];
            foreach (var key in keys)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {key}:\n    name: Audience {j + 1}\n");
                foreach (var (setting, value) in AdtechKeys.DefaultSettings(key))
                {
                    text.Append(CultureInfo.InvariantCulture, $"    {setting}: {value}\n");
                }

                if (date is not null && random.NextDouble() < 0.8)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    id: '{key}-{j + 1}'\n    last_response:\n      date: {date}\n      status: 200\n      message: 'Success'\n");
                }

                exports++;
            }

            await bucket.WriteTextAsync(AudienceCatalog.StatePath(name), text.ToString(), null);
        }

        return (count, fromEndpoints, exports);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
