using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>Data health per dataset and day, and its flags.</summary>
public sealed class DatasetHealthTests : DatabaseTest
{
    private static readonly DateOnly Start = new(2026, 3, 1);

    private static List<DatasetHealthDay> Days(params long[] rowsKept) =>
        [.. rowsKept.Select((rows, i) => new DatasetHealthDay { Dataset = "clicks", Day = Start.AddDays(i), FilesImported = rows > 0 ? 1 : 0, RowsIn = rows, RowsKept = rows })];

    [Fact]
    public void Series_SteadyThenADropAndAGap_FlagsTheDropAndTheZeroDay()
    {
        var stored = Days(100, 110, 90, 100, 105, 95, 100, 40, 100);
        stored.RemoveAt(4); // no import on day 5

        var series = DatasetHealthQueries.Series(stored);

        Assert.Equal(9, series.Count);
        Assert.Equal([HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.ZeroDay, HealthFlags.None, HealthFlags.None,
            HealthFlags.SuddenDrop, HealthFlags.None], series.Select(d => d.Flags));
        Assert.Equal(100, series[7].TrailingMedian);
        Assert.Null(series[0].TrailingMedian);
    }

    [Fact]
    public void Series_SlowDecline_IsNotASuddenDrop()
    {
        var series = DatasetHealthQueries.Series(Days(100, 90, 80, 70, 60, 55, 50));

        Assert.All(series, d => Assert.Equal(HealthFlags.None, d.Flags));
    }

    [Fact]
    public void Series_ZeroBeforeTheFirstRows_IsNotAZeroDayButAZeroLastDayIs()
    {
        var series = DatasetHealthQueries.Series(Days(0, 100, 100, 100, 0, 100, 0));

        Assert.Equal([HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.ZeroDay, HealthFlags.None, HealthFlags.ZeroDay],
            series.Select(d => d.Flags));
    }

    [Fact]
    public void Series_DayWellAboveTheMovingAverage_IsASpike()
    {
        var series = DatasetHealthQueries.Series(Days(100, 110, 90, 100, 250, 190, 100));

        Assert.Equal([HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.Spike, HealthFlags.None, HealthFlags.None],
            series.Select(d => d.Flags));
        Assert.Equal(100, series[4].TrailingMean);
    }

    [Fact]
    public void Series_HighDayWithTooLittleHistory_IsNotASpike()
    {
        var series = DatasetHealthQueries.Series(Days(100, 500, 1000));

        Assert.All(series, d => Assert.Equal(HealthFlags.None, d.Flags));
    }

    [Fact]
    public async Task Imports_OnThreeDays_AddUpPerDayWithSharesAndFlags()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddSingleton<TimeProvider>(clock));
        await host.ImportedAsync("conversions", "2026-Q1", "d1a.csv", Csv("conversion_id,click_id,revenue", "1,1,1", "2,2,2", "2,2,2", "3,,3"));
        await host.ImportedAsync("conversions", "2026-Q1", "d1b.csv", Csv("conversion_id,click_id,revenue", "1,1,1", "4,4,4"));
        await host.ImportAsync("conversions", "2026-Q1", "d1c.csv", Csv("conversion_id,click", "1,1"));
        clock.Now = clock.Now.AddDays(1);
        await host.ImportedAsync("conversions", "2026-Q1", "d2.csv", Csv("conversion_id,click_id,revenue", "5,5,5", "6,6,6", "7,7,7"));
        clock.Now = clock.Now.AddDays(2);
        await host.ImportedAsync("conversions", "2026-Q1", "d4.csv", Csv("conversion_id,click_id,revenue", "8,8,8"));

        var series = await host.Get<DatasetHealthQueries>().SeriesAsync("conversions");

        Assert.Equal([Start, Start.AddDays(1), Start.AddDays(2), Start.AddDays(3)], series.Days.Select(d => d.Day));
        var first = series.Days[0];
        Assert.Equal((2, 1, 6L, 3L), (first.FilesImported, first.FilesRejected, first.RowsIn, first.RowsKept));
        Assert.Equal(2.0 / 6, first.DuplicateRate, 6);
        Assert.Equal(1.0 / 18, first.MissingShare, 6);
        Assert.Equal([HealthFlags.None, HealthFlags.None, HealthFlags.ZeroDay, HealthFlags.SuddenDrop], series.Days.Select(d => d.Flags));
        Assert.Equal([3L, 3L, 0L, 1L], series.Days.Select(d => d.RowsKept));
        Assert.Single((await host.Get<DatasetHealthQueries>().SeriesAsync("conversions", from: Start.AddDays(3))).Days);
        Assert.Empty((await host.Get<DatasetHealthQueries>().SeriesAsync("users")).Days);
        Assert.Equal("by import day", series.DaysBy);
    }

    [Fact]
    public async Task Imports_CardTransactions_CountRowsByTheirUtcTransactionDateNotTheImportDay()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddSingleton<TimeProvider>(clock));
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1)));
        await host.ImportedAsync("credit_card_transactions", null, "october.csv", Csv(CardHeader,
            Card(1, 1, 10m, date: "2026-10-01 10:00:00"),
            Card(2, 1, 10m, date: "2026-10-02 01:30:00+05:30"), // 2026-10-01 20:00 UTC
            Card(3, 1, 10m, date: "2026-10-02 00:00:00"),
            Card(3, 1, 10m, date: "2026-10-02 00:00:00"),
            Card(4, 1, 10m, date: "2026-10-04 12:00:00"),
            "5,1,5.00,,Travel,2026-10-04 12:00:00"));
        clock.Now = clock.Now.AddDays(1);
        await host.ImportedAsync("credit_card_transactions", null, "late.csv", Csv(CardHeader, Card(4, 1, 99m, date: "2026-10-05 08:00:00")));

        var series = await host.Get<DatasetHealthQueries>().SeriesAsync("credit_card_transactions");

        Assert.Equal(("by transaction_date", "transaction_date"), (series.DaysBy, series.DateColumn));
        var october = new DateOnly(2026, 10, 1);
        Assert.Equal([october, october.AddDays(1), october.AddDays(2), october.AddDays(3), october.AddDays(4)], series.Days.Select(d => d.Day));
        Assert.Equal([(2L, 2L), (2L, 1L), (0L, 0L), (2L, 1L), (1L, 0L)], series.Days.Select(d => (d.RowsIn, d.RowsKept)));
        Assert.Equal([1, 1, 0, 1, 1], series.Days.Select(d => d.FilesImported));
        Assert.Equal(0.5, series.Days[1].DuplicateRate, 6); // the repeated row
        Assert.Equal(0, series.Days[3].DuplicateRate, 6); // a row missing its merchant is not a duplicate
        Assert.Equal(1.0 / 12, series.Days[3].MissingShare, 6);
        Assert.Equal(1.0, series.Days[4].DuplicateRate, 6); // its key was stored already
        // The empty day between days with rows, and a last day that kept nothing, are zero days on the data's own days.
        Assert.Equal([HealthFlags.None, HealthFlags.None, HealthFlags.ZeroDay, HealthFlags.None, HealthFlags.ZeroDay], series.Days.Select(d => d.Flags));
        Assert.Equal([new DateOnly(2025, 1, 2)], (await host.Get<DatasetHealthQueries>().SeriesAsync("users")).Days.Select(d => d.Day));
    }

    [Fact]
    public async Task Imports_ByTransactionDate_FlagASpikeOnTheDayOfTheRows()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1)));
        var rows = Enumerable.Range(1, 4).Select(d => Card(d, 1, 1m, date: $"2026-10-0{d} 12:00:00"))
            .Concat(Enumerable.Range(10, 10).Select(id => Card(id, 1, 1m, date: "2026-10-05 12:00:00")));

        await host.ImportedAsync("credit_card_transactions", null, "spike.csv", Csv(CardHeader, [.. rows]));

        var series = await host.Get<DatasetHealthQueries>().SeriesAsync("credit_card_transactions");
        Assert.Equal([1L, 1L, 1L, 1L, 10L], series.Days.Select(d => d.RowsKept));
        Assert.Equal([HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.None, HealthFlags.Spike], series.Days.Select(d => d.Flags));
    }

    [Fact]
    public async Task Rejection_OfADatasetByDate_AddsNoDay()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await host.ImportAsync("credit_card_transactions", null, "bad.csv", Csv("transaction_id", "1"));

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Empty((await host.Get<DatasetHealthQueries>().SeriesAsync("credit_card_transactions")).Days);
    }
}
