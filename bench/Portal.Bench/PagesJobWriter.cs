using System.Globalization;
using Microsoft.Data.Sqlite;
using Portal.Core.Audiences;
using Portal.Core.Dashboard;
using Portal.Core.Jobs;
using Portal.Core.Maintenance;
using Portal.Core.Segments;
using Portal.Core.Uploads;

namespace Portal.Bench;

/// <summary>
/// N finished jobs of a portal that has run for months, inserted straight into the jobs table in one transaction
/// (one prepared statement): mostly segment refreshes and audience runs, some imports, dashboard recomputes and
/// retention runs; seconds to minutes long; most succeeded, some failed after retries, a few cancelled. Seeded.
/// </summary>
internal static class PagesJobWriter
{
    private static readonly string[] People = ["scheduler", "priya@portal.local", "arjun@portal.local", "meera@portal.local", "system"];
    private static readonly string[] Errors =
    [
        "SQLite Error 5: 'database is locked'.", "AdtechB answered 429: rate limit exceeded.", "The member file is missing: members/x.parquet.",
        "The request timed out after 100 s.", "AdtechA answered 500: internal error.",
    ];

    public static async Task WriteAsync(SqliteConnection connection, int count, int rules, IReadOnlyList<string> audiences, int seed = 2026)
    {
        var random = new Random(seed);
        var end = new DateTime(2026, 11, 20, 6, 0, 0, DateTimeKind.Utc);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO jobs (kind, title, payload, status, progress_done, progress_total, progress_message, attempts, max_attempts, error,
                              requested_by, created_at, started_at, finished_at, not_before, cancel_requested, schedule_id, lease_owner, lease_expires_at)
            VALUES ($kind, $title, $payload, $status, $done, $total, $message, $attempts, 3, $error, $by, $created, $started, $finished, NULL, $cancel, NULL, 'bench-1', NULL)
            """;
        var p = new[] { "$kind", "$title", "$payload", "$status", "$done", "$total", "$message", "$attempts", "$error", "$by", "$created", "$started", "$finished", "$cancel" }
            .ToDictionary(n => n, n => insert.Parameters.Add(new SqliteParameter { ParameterName = n }));
        await insert.PrepareAsync();
        // Oldest first, spread over 180 days up to the fixture's fixed "now", as ids grow with time.
        var span = TimeSpan.FromDays(180).TotalSeconds;
        for (var i = 0; i < count; i++)
        {
            var created = end.AddSeconds(-span + span * i / count);
            var (kind, title, payload, seconds) = random.NextDouble() switch
            {
                < 0.55 => Refresh(random, rules),
                < 0.88 => Run(random, audiences),
                < 0.94 => (DatasetImportJob.Kind, "Import credit-card transactions", """{"dataset":"credit_card_transactions"}""", 20 + random.Next(300)),
                < 0.98 => (RecomputeDashboardTotalsJob.Kind, "Recompute dashboard totals", null, 15 + random.Next(60)),
                _ => (RetentionJob.Kind, RetentionJob.DisplayName, null, 2 + random.Next(30)),
            };
            var outcome = random.NextDouble();
            var status = outcome switch { < 0.91 => JobStatus.Succeeded, < 0.98 => JobStatus.Failed, _ => JobStatus.Cancelled };
            var started = created.AddSeconds(random.Next(0, 5));
            var finished = started.AddSeconds(status == JobStatus.Cancelled ? seconds / 3 : seconds).AddMilliseconds(random.Next(1000));
            p["$kind"].Value = kind;
            p["$title"].Value = title;
            p["$payload"].Value = (object?)payload ?? DBNull.Value;
            p["$status"].Value = status.ToString();
            p["$done"].Value = status == JobStatus.Succeeded ? 10 : random.Next(0, 10);
            p["$total"].Value = 10;
            p["$message"].Value = status switch { JobStatus.Succeeded => "Done", JobStatus.Cancelled => "Cancelled by a user", _ => "Stopped" };
            p["$attempts"].Value = status == JobStatus.Failed ? 3 : random.NextDouble() < 0.05 ? 2 : 1;
            p["$error"].Value = status == JobStatus.Failed ? Errors[random.Next(Errors.Length)] : DBNull.Value;
            p["$by"].Value = People[random.Next(People.Length)];
            p["$created"].Value = Text(created);
            p["$started"].Value = Text(started);
            p["$finished"].Value = Text(finished);
            p["$cancel"].Value = status == JobStatus.Cancelled ? 1 : 0;
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private static (string, string, string?, int) Refresh(Random random, int rules)
    {
        var rule = random.Next(1, Math.Max(2, rules + 1));
        return (RefreshSegmentJob.Kind, $"Refresh segment #{rule}", $$"""{"rule":{{rule}}}""", 1 + random.Next(120));
    }

    private static (string, string, string?, int) Run(Random random, IReadOnlyList<string> audiences)
    {
        var audience = audiences.Count == 0 ? "bench" : audiences[random.Next(audiences.Count)];
        return (CatalogRunJob.Kind, $"Run {audience}", CatalogRunJob.PayloadFor(audience), 3 + random.Next(240));
    }

    private static string Text(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
}
