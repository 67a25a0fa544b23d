using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Adtech.Matching;

/// <summary>
/// Records on a run what its adtech reports about the audience afterwards (received, matched, its own rate), and the
/// members the rate is taken of. A report that cannot be read never fails the run: the run says so in its message.
/// </summary>
public sealed class MatchReports(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<MatchReport> RecordAsync(long runId, IMatchReporter reporter, AdtechConnection connection, string audienceId, long members,
        CancellationToken cancellationToken)
    {
        MatchReport report;
        try
        {
            report = await reporter.ReportAsync(connection, audienceId, cancellationToken);
        }
        // An answer of an unexpected shape (a JSON node of another kind than the reader expects) is a failed report too.
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            report = MatchReport.Failed(ex.Message);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.ExportRuns.SingleAsync(r => r.Id == runId, cancellationToken);
        run.Members = members;
        if (report.Succeeded)
        {
            run.ReportedReceived = report.Received;
            run.MatchedLow = report.MatchedLow;
            run.MatchedHigh = report.MatchedHigh;
            run.AdtechMatchRate = report.AdtechRate;
        }
        else
        {
            var message = $"{run.ResponseMessage} No match report: {report.Message}".TrimStart();
            run.ResponseMessage = message.Length > 2000 ? message[..2000] : message;
        }

        await db.SaveChangesAsync(cancellationToken);
        return report;
    }
}
