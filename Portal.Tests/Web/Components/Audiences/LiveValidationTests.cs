using Portal.Components.Pages.Audiences;
using Portal.Core.Audiences;

namespace Portal.Tests.Web.Components.Audiences;

public sealed class LiveValidationTests
{
    private static readonly StateParseResult Valid = new(null, []);

    [Fact]
    public async Task Check_SlowerThanTheBudget_AnsweredWithAnIssueSayingSo()
    {
        using var release = new ManualResetEventSlim();
        using var validation = new LiveValidation((_, _) => { release.Wait(); return Valid; }, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));

        var result = await validation.CheckAsync("demo_audience", "text");
        release.Set();

        var issue = Assert.Single(result.Issues);
        Assert.Equal(("demo_audience.yml", 1, 1), (issue.File, issue.Line, issue.Column));
        Assert.Contains("took longer than 0.1 s, so it was stopped", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_NewerTextBeforeTheDebounceEnds_OnlyTheNewerIsChecked()
    {
        var checkedTexts = new List<string>();
        var applied = new TaskCompletionSource<StateParseResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var validation = new LiveValidation((_, text) => { lock (checkedTexts) { checkedTexts.Add(text); } return Valid; },
            TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2));

        validation.Schedule("demo_audience", "older", _ => { applied.TrySetException(new InvalidOperationException("the older text was applied")); return Task.CompletedTask; });
        validation.Schedule("demo_audience", "newer", r => { applied.TrySetResult(r); return Task.CompletedTask; });

        await applied.Task;
        Assert.Equal(["newer"], checkedTexts);
        Assert.Equal(2, validation.Requests);
    }
}
