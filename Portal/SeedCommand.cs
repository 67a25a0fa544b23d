using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Customers;
using Portal.Core.Dashboard;
using Portal.Core.Demo;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal;

/// <summary>
/// <c>dotnet run --project Portal -- seed --users 1000000 --transactions 10000000 [--seed N]</c>: replaces the customer
/// tables with generated demo data by bulk insert, with a progress bar, then (with the demo on) saves the demo's rules
/// that are missing and refreshes their segments over the new data, then exits. A dashboard recompute is queued for
/// the next start of the portal, as are the syncs of the audiences the segments feed.
/// </summary>
internal static class SeedCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        int users = 10_000, seed = DemoDataGenerator.DefaultSeed;
        long transactions = 200_000;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--users" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var u) && u >= 0:
                    users = u;
                    i++;
                    break;
                case "--transactions" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) && t >= 0:
                    transactions = t;
                    i++;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s):
                    seed = s;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"seed: argument {i + 1} '{args[i]}' {(value is null ? "" : $"with value '{value}' ")}is not understood.");
                    await Console.Error.WriteLineAsync("usage: seed [--users N] [--transactions N] [--seed N]   (N are whole numbers >= 0)");
                    return 2;
            }
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.AddPortal();
        await using var app = builder.Build();
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        if (settings.ConfigurationError is { } error)
        {
            await Console.Error.WriteLineAsync(error);
            return 2;
        }

        Console.WriteLine($"Database: {settings.Describe()}");
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        await app.Services.GetRequiredService<AccountsBootstrap>().EnsureAsync();
        Console.WriteLine($"Replacing customer data with {users:N0} users and {transactions:N0} transactions (seed {seed})");
        var bar = new ConsoleProgressBar();
        var end = DemoDataGenerator.EndFor(app.Services.GetRequiredService<TimeProvider>());
        var result = await app.Services.GetRequiredService<CustomerDataLoader>()
            .LoadAsync(new DemoDataGenerator(end, seed), users, transactions, new InlineProgress<LoadProgress>(bar.Draw));
        bar.Finish();
        Console.WriteLine($"Loaded {result.Rows:N0} rows in {result.InsertTime.TotalSeconds:0.0} s ({result.RowsPerSecond:N0} rows/s); indexes rebuilt in {result.IndexTime.TotalSeconds:0.0} s");
        if (settings.Options is { SeedDemoData: true, DemoStory: true })
        {
            // The demo's rules and segment-fed audience over the new data; what exists is kept, the segments refreshed.
            var story = await app.Services.GetRequiredService<DemoStory>().CreateAsync(end, new InlineProgress<string>(Console.WriteLine));
            Console.WriteLine($"Demo: {story.RulesCreated} rules saved, {story.SegmentsRefreshed} segments refreshed, {story.FilesImported} files imported");
        }

        // The portal picks this up at its next start (queued jobs survive restarts).
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.Jobs.Add(new JobRecord
            {
                Kind = RecomputeDashboardTotalsJob.Kind,
                Title = "Recompute dashboard totals (after seed)",
                Status = JobStatus.Queued,
                MaxAttempts = 3,
                RequestedBy = SystemPrincipal.Name,
                CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        return 0;
    }

    private sealed class ConsoleProgressBar
    {
        private const int Width = 40;
        private readonly bool _interactive = !Console.IsOutputRedirected;
        private int _lastPercent = -1;

        public void Draw(LoadProgress p)
        {
            var indexes = p.Table == "indexes";
            var percent = (int)(100 * (indexes ? p.Done : p.RowsDone) / Math.Max(1, indexes ? p.Total : p.RowsTotal));
            var filled = percent * Width / 100;
            var line = indexes
                ? $"[{new string('#', filled)}{new string('-', Width - filled)}] {percent,3}%  rebuilding indexes {p.Done}/{p.Total}"
                : $"[{new string('#', filled)}{new string('-', Width - filled)}] {percent,3}%  {p.Table,-26} {p.Done,12:N0}/{p.Total:N0}  {p.RowsPerSecond,10:N0} rows/s";
            if (_interactive)
            {
                Console.Write("\r" + line);
            }
            else if (percent / 10 != _lastPercent / 10 || p.Table == "indexes")
            {
                Console.WriteLine(line);
            }

            _lastPercent = percent;
        }

        public void Finish()
        {
            if (_interactive)
            {
                Console.WriteLine();
            }
        }
    }
}
