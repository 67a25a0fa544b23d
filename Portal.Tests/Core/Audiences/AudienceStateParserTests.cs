using Portal.Core.Audiences;

namespace Portal.Tests.Core.Audiences;

public sealed class AudienceStateParserTests
{
    public static TheoryData<string> SeedStages => new() { SeedStates.Stage1Basic, SeedStates.Stage2FirstExecution, SeedStates.Stage3FurtherConfiguration, SeedStates.Stage4Final };

    [Theory]
    [MemberData(nameof(SeedStages))]
    public void SeedStage_Parsed_IsValidAndRoundTripsUnchangedInMeaning(string yaml)
    {
        var first = AudienceStateParser.Parse("demo_audience.yml", yaml);
        Assert.True(first.IsValid, string.Join("\n", first.Issues));

        var again = AudienceStateParser.Parse("demo_audience.yml", first.State!.ToYaml());
        Assert.True(again.IsValid, string.Join("\n", again.Issues));
        Assert.Equivalent(first.State.ToPlain(), again.State!.ToPlain(), strict: true);
        Assert.Equal(first.State.ToYaml(), again.State.ToYaml());
    }

    [Fact]
    public void Stage1_Read_GivesTheSeedsBlocks()
    {
        var state = AudienceStateParser.Parse("demo_audience.yml", SeedStates.Stage1Basic).State!;
        Assert.Equal("demo_audience", state.Name);
        Assert.Equal("A demo audience from a filtered demo data source.", state.Description);
        Assert.Equal("demo-endpoint/", state.SourceEndpoint);
        Assert.Equal("true", state.SourceParams["demo"]);
        Assert.Null(state.SourceLastResponse);
        Assert.Equal([AdtechKeys.AdtechA], state.AdtechKeysPresent);
        Assert.Equal("New Audience", state.AdtechName(AdtechKeys.AdtechA));
        Assert.Equal(AdtechStatus.NotFetched, state.StatusOf(AdtechKeys.AdtechA, hasMemberData: false));
        Assert.Equal(AdtechStatus.NotPosted, state.StatusOf(AdtechKeys.AdtechA, hasMemberData: true));
    }

    [Fact]
    public void Stage3_Read_IdsAreTextAndBIsNotPosted()
    {
        var state = AudienceStateParser.Parse("demo_audience.yml", SeedStates.Stage3FurtherConfiguration).State!;
        Assert.Equal("1234567890", state.AdtechId(AdtechKeys.AdtechA));
        Assert.Equal(AdtechStatus.Posted, state.StatusOf(AdtechKeys.AdtechA, true));
        Assert.Equal(AdtechStatus.NotPosted, state.StatusOf(AdtechKeys.AdtechB, true));
        Assert.Equal("300", state.AdtechSetting(AdtechKeys.AdtechB, "expiration_time"));
        Assert.Equal(new LastResponse("20231106", 200, "Success: Demo response message."), state.AdtechLastResponse(AdtechKeys.AdtechA));
        Assert.Equal("0987654321", AudienceStateParser.Parse("demo_audience.yml", SeedStates.Stage4Final).State!.AdtechId(AdtechKeys.AdtechB));
    }

    [Fact]
    public void SetResults_OnStage1_GiveStage2sMeaningAndKeepUnknownKeys()
    {
        var yaml = SeedStates.Stage1Basic.Replace("  adtechA:", "  owner: team-growth\n  adtechA:", StringComparison.Ordinal)
            .Replace("    audience_type: TYPE_X", "    audience_type: TYPE_X\n    custom_flags: [a, b]", StringComparison.Ordinal);
        var state = AudienceStateParser.Parse("demo_audience.yml", yaml).State!;
        var response = new LastResponse("20231106", 200, "Success: Demo response message.");
        state.SetSourceResponse(response);
        state.SetAdtechResult(AdtechKeys.AdtechA, "1234567890", response);

        var written = AudienceStateParser.Parse("demo_audience.yml", state.ToYaml());
        Assert.True(written.IsValid, string.Join("\n", written.Issues));
        Assert.Equal("1234567890", written.State!.AdtechId(AdtechKeys.AdtechA));
        Assert.Equal(response, written.State.AdtechLastResponse(AdtechKeys.AdtechA));
        Assert.Equal(response, written.State.SourceLastResponse);
        Assert.Equal(["owner"], written.State.OtherKeys);
        Assert.Contains("custom_flags: [a, b]", state.ToYaml(), StringComparison.Ordinal);
        // The id goes right after the name, as in the seed's second stage.
        Assert.Contains("    name: New Audience\n    id: '1234567890'\n    audience_type: TYPE_X", state.ToYaml(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, int, int, string> BadFiles => new()
    {
        { "demo_audience.yml", "demo_audience:\n  description: 'unterminated\n  source: {endpoint: x}\n", "(yaml)", 2, 16, "quoted scalar" },
        { "demo_audience.yml", "demo_audience:\n  source: {endpoint: [x, y\n  description: d\n", "(yaml)", 3, 3, "YAML syntax error" },
        { "demo_audience.yml", "other_name:\n  description: d\n  source: {endpoint: x}\n", "other_name", 1, 1, "must equal the file name 'demo_audience'" },
        { "bad name.yml", "bad name:\n  description: d\n  source: {endpoint: x}\n", "bad name", 1, 1, "is not a safe audience name" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  adtechA:\n    name: A\n    audience_type: TYPE_Q\n", "demo_audience.adtechA.audience_type", 6, 20, "'TYPE_Q' is not an AdtechA audience type; use one of TYPE_X" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  adtechB:\n    name: B\n    expiration_time: 541\n", "demo_audience.adtechB.expiration_time", 6, 22, "0 to 540 days, or exactly 1000" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  adtechB:\n    name: B\n    expiration_time: -1\n", "demo_audience.adtechB.expiration_time", 6, 22, "not a valid expiration time" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    name: G\n    membership_life_span: 541\n", "demo_audience.googleAds.membership_life_span", 6, 27, "membership life span: 0 to 540 days (a former 10000 is read as 540)" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    name: G\n    membership_life_span: forever\n", "demo_audience.googleAds.membership_life_span", 6, 27, "'forever' is not a valid membership life span" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    membership_life_span: 30\n", "demo_audience.googleAds.name", 5, 5, "Missing required key 'name'" },
        { "demo_audience.yml", "demo_audience:\n  source: {endpoint: x}\n", "demo_audience.description", 1, 1, "Missing required key 'description'" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n", "demo_audience.source", 1, 1, "Missing required block 'source'" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source:\n    params: {a: 1}\n", "demo_audience.source", 4, 5, "Missing required key 'endpoint'" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  adtechA:\n    audience_type: TYPE_X\n", "demo_audience.adtechA.name", 5, 5, "Missing required key 'name'" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  adtechA:\n    name: A\n", "demo_audience.adtechA.audience_type", 5, 5, "Missing required key 'audience_type'" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  description: e\n  source: {endpoint: x}\n", "(yaml)", 3, 3, "Duplicate key description" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\nsecond:\n  description: e\n", "(root)", 4, 1, "has 2 top-level keys" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x, last_response: {status: ok}}\n", "demo_audience.source.last_response.status", 3, 49, "whole number" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  country: XX\n  source: {endpoint: x}\n", "demo_audience.country", 3, 12, "'XX' is not a country the portal knows how to normalize" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  country: India\n  source: {endpoint: x}\n", "demo_audience.country", 3, 12, "'India' is not an ISO 3166-1 alpha-2 code" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  country: ''\n  source: {endpoint: x}\n", "demo_audience.country", 3, 12, "no country is given" },
        { "demo_audience.yml", "demo_audience:\n  description: d\n  country: [IN, US]\n  source: {endpoint: x}\n", "demo_audience.country", 3, 12, "a single ISO 3166-1 alpha-2 code" },
    };

    [Theory]
    [InlineData("IN", null, "IN")]
    [InlineData("in", null, "IN")]
    [InlineData(" us ", "IN", "US")]
    [InlineData(null, "IN", "IN")]
    [InlineData(null, "gb", "GB")]
    public void Parse_Country_IsTheFilesElseTheDefault(string? inFile, string? byDefault, string expected)
    {
        var country = inFile is null ? "" : $"  country: '{inFile}'\n";
        var result = AudienceStateParser.Parse("a.yml", $"a:\n  description: d\n{country}  source: {{endpoint: x}}\n", byDefault);
        Assert.True(result.IsValid, string.Join("\n", result.Issues));
        Assert.Equal(expected, result.State!.RequireCountry().Code);
        Assert.Null(result.State.CountryProblem);
        Assert.DoesNotContain("country", result.State.OtherKeys);
    }

    [Theory]
    [InlineData(null, "add 'country:' with an ISO 3166-1 alpha-2 code (such as IN) to its state file, or set Audiences:DefaultCountry")]
    [InlineData("ZZ", "Audiences:DefaultCountry is wrong: 'ZZ' is not a country")]
    public void Parse_NoKnownCountryAnywhere_IsValidButCannotBeUploaded(string? byDefault, string message)
    {
        var result = AudienceStateParser.Parse("a.yml", "a:\n  description: d\n  source: {endpoint: x}\n", byDefault);
        Assert.True(result.IsValid, string.Join("\n", result.Issues));
        Assert.Null(result.State!.Country);
        Assert.Contains(message, result.State.CountryProblem, StringComparison.Ordinal);
        Assert.Contains(message, Assert.Throws<InvalidOperationException>(() => result.State.RequireCountry()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Parse_BadFile_ReportsFieldLineAndColumn(string file, string yaml, string field, int line, int column, string message)
    {
        var result = AudienceStateParser.Parse(file, yaml);
        Assert.False(result.IsValid);
        var issue = Assert.Single(result.Issues, i => i.Field == field && i.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal((Path.GetFileName(file), line, column), (issue.File, issue.Line, issue.Column));
    }

    [Theory]
    [InlineData("adtechB", "expiration_time", "0")]
    [InlineData("adtechB", "expiration_time", "540")]
    [InlineData("adtechB", "expiration_time", "1000")]
    [InlineData("googleAds", "membership_life_span", "0")]
    [InlineData("googleAds", "membership_life_span", "540")]
    [InlineData("googleAds", "membership_life_span", "10000")]
    public void Parse_DaysOnTheEdges_IsValid(string adtech, string setting, string days)
    {
        var result = AudienceStateParser.Parse("a.yml", $"a:\n  description: d\n  source: {{endpoint: x}}\n  {adtech}:\n    name: B\n    {setting}: {days}\n");
        Assert.True(result.IsValid, string.Join("\n", result.Issues));
        Assert.Equal([adtech], result.State!.AdtechKeysPresent);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5090/health", "absolute URL")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1/", "absolute URL")]
    [InlineData("file:/etc/passwd", "absolute URL")]
    [InlineData("//169.254.169.254/latest/meta-data/", "names a host")]
    [InlineData("/admin", "starts with '/'")]
    [InlineData("../health", "'..' segment")]
    [InlineData("data/../../health", "'..' segment")]
    [InlineData("%2e%2e/health", "'..' segment")]
    [InlineData("%252e%252e/health", "'..' segment")]
    [InlineData("%2F%2Fevil.example/x", "names a host")]
    [InlineData("..\\health", "backslash")]
    [InlineData("a%5c..%5chealth", "backslash")]
    [InlineData("demo?next=http://x", "query")]
    [InlineData("%25252525252e", "percent-encoded")]
    public void Parse_EndpointLeavingTheDataSource_ReportsItWithFieldLineAndColumn(string endpoint, string reason)
    {
        var result = AudienceStateParser.Parse("demo_audience.yml", $"demo_audience:\n  description: d\n  source:\n    endpoint: '{endpoint}'\n");

        Assert.False(result.IsValid);
        var issue = Assert.Single(result.Issues);
        Assert.Equal(("demo_audience.yml", 4, 15, "demo_audience.source.endpoint"), (issue.File, issue.Line, issue.Column, issue.Field));
        Assert.Contains("must be a path relative to the data source", issue.Message, StringComparison.Ordinal);
        Assert.Contains(reason, issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo-endpoint/")]
    [InlineData("v2/members:search")]
    [InlineData("segments/high%20value/members.json")]
    [InlineData("a..b/c.d")]
    public void Parse_RelativeEndpoint_IsValid(string endpoint)
    {
        var result = AudienceStateParser.Parse("a.yml", $"a:\n  description: d\n  source:\n    endpoint: '{endpoint}'\n");
        Assert.True(result.IsValid, string.Join("\n", result.Issues));
    }

    [Fact]
    public void Parse_SegmentSource_IsValid()
    {
        var result = AudienceStateParser.Parse("a.yml", "a:\n  description: d\n  source:\n    segment: high_value_customers\n");
        Assert.True(result.IsValid, string.Join("\n", result.Issues));
        Assert.Equal("high_value_customers", result.State!.SourceSegment);
    }

    [Fact]
    public void Issue_ToString_ReadsFileLineColumnFieldMessage() =>
        Assert.Equal("a.yml:6:20: a.adtechA.audience_type: bad", new StateIssue("a.yml", 6, 20, "a.adtechA.audience_type", "bad").ToString());
}
