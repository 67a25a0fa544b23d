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
    }
}
