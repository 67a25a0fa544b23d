using Portal.Core.Audiences;

namespace Portal.Tests.Core.Audiences;

/// <summary>The setters the editor's form view uses: each keeps the file valid and every key it does not touch.</summary>
public sealed class AudienceStateTests
{
    private static AudienceState Parse(string text)
    {
        var result = AudienceStateParser.Parse("demo_audience.yml", text);
        Assert.True(result.IsValid, string.Join("; ", result.Issues));
        return result.State!;
    }

    private static AudienceState Reparse(AudienceState state) => Parse(state.ToYaml());

    [Fact]
    public void SetDescription_WithUnknownKeys_KeepsThemInPlace()
    {
        var state = Parse(SeedStates.Stage1Basic.Replace("  source:", "  owner: crm-team\n  source:", StringComparison.Ordinal));
        state.SetDescription("Changed");
        var again = Reparse(state);
        Assert.Equal("Changed", again.Description);
        Assert.Equal(["owner"], again.OtherKeys);
        Assert.StartsWith("demo_audience:\n  description: Changed\n", state.ToYaml().Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void SetCountry_ThenClear_WritesTheKeyAfterTheDescriptionThenFallsBackToTheDefault()
    {
        var state = Parse(SeedStates.Stage1Basic);
        state.SetCountry("gb");
        Assert.StartsWith("demo_audience:\n  description: A demo audience from a filtered demo data source.\n  country: GB\n",
            state.ToYaml().Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("GB", Reparse(state).CountrySetting);

        state.SetCountry(null);
        var cleared = AudienceStateParser.Parse("demo_audience.yml", state.ToYaml(), "IN").State!;
        Assert.Null(cleared.CountrySetting);
        Assert.Equal("IN", cleared.Country!.Code);
        Assert.DoesNotContain("country", state.ToYaml(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddAdtech_AdtechB_AddsNameAndDefaultExpiry()
    {
        var state = Parse(SeedStates.Stage1Basic);
        state.AddAdtech(AdtechKeys.AdtechB);
        var again = Reparse(state);
        Assert.Equal([AdtechKeys.AdtechA, AdtechKeys.AdtechB], again.AdtechKeysPresent);
        Assert.Equal("demo_audience", again.AdtechName(AdtechKeys.AdtechB));
        Assert.Equal("1000", again.AdtechSetting(AdtechKeys.AdtechB, "expiration_time"));
    }

    [Fact]
    public void AddAdtech_UnknownKey_Throws()
    {
        var state = Parse(SeedStates.Stage1Basic);
        Assert.Throws<ArgumentException>(() => state.AddAdtech("tiktok"));
    }

    [Fact]
    public void SetSourceEndpoint_NewParams_ReplacesParamsAndDropsBlankNames()
    {
        var state = Parse(SeedStates.Stage1Basic);
        state.SetSourceEndpoint("other-endpoint/", [new("region", "EU"), new(" ", "ignored")]);
        var again = Reparse(state);
        Assert.Equal("other-endpoint/", again.SourceEndpoint);
        Assert.Equal(new Dictionary<string, string> { ["region"] = "EU" }, again.SourceParams);
    }

    [Fact]
    public void SetSourceSegment_OnEndpointSource_RemovesEndpointAndParams()
    {
        var state = Parse(SeedStates.Stage1Basic);
        state.SetSourceSegment("big_spenders");
        var again = Reparse(state);
        Assert.Equal("big_spenders", again.SourceSegment);
        Assert.Null(again.SourceEndpoint);
        Assert.Empty(again.SourceParams);
    }

    [Fact]
    public void SetAdtechSetting_Empty_RemovesTheKeyAndValidationNoticesRequiredOnes()
    {
        var state = Parse(SeedStates.Stage1Basic);
        state.SetAdtechSetting(AdtechKeys.AdtechA, "audience_type", null);
        var result = AudienceStateParser.Parse("demo_audience.yml", state.ToYaml());
        Assert.Contains(result.Issues, i => i.Field == "demo_audience.adtechA.audience_type");
    }

    [Fact]
    public void RemoveAdtech_Present_RemovesOnlyThatBlock()
    {
        var state = Parse(SeedStates.Stage3FurtherConfiguration);
        state.RemoveAdtech(AdtechKeys.AdtechA);
        var again = Reparse(state);
        Assert.Equal([AdtechKeys.AdtechB], again.AdtechKeysPresent);
        Assert.NotNull(again.SourceLastResponse);
    }

    [Fact]
    public void Template_AnySafeName_IsValid()
    {
        var result = AudienceStateParser.Parse("spring_sale.yml", AudienceEditor.Template("spring_sale"));
        Assert.True(result.IsValid, string.Join("; ", result.Issues));
    }
}
