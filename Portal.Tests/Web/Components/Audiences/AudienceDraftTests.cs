using Portal.Components.Pages.Audiences;
using Portal.Core.Audiences;

namespace Portal.Tests.Web.Components.Audiences;

/// <summary>The audience editor's state without a renderer: dirty, the name of a new audience, conflicts and their choices.</summary>
public sealed class AudienceDraftTests
{
    private static readonly AudienceDocument Opened = new("loyal", "loyal:\n  description: mine\n", "v1");

    private static SaveResult TheirSave(string text = "loyal:\n  description: theirs\n") => new(SaveOutcome.Conflict, null, [], text, "v2");

    [Fact]
    public void Edit_BackToWhatWasOpened_IsNotDirty()
    {
        var draft = new AudienceDraft("loyal");
        draft.Open(Opened);

        draft.Edit("loyal:\n  description: changed\n");
        Assert.True(draft.Dirty);
        draft.Edit(Opened.Text);

        Assert.False(draft.Dirty);
    }

    [Fact]
    public void CurrentName_NewAudience_IsItsTopLevelKeyOnceTyped()
    {
        var draft = new AudienceDraft(null);
        draft.StartNew();
        Assert.Equal("new_audience", draft.CurrentName);

        draft.Edit("# a comment\nspring_sale:\n  description: x\n");

        Assert.Equal(("spring_sale", true), (draft.CurrentName, draft.Dirty));
    }

    [Fact]
    public void Refused_ThenTakeTheirs_TheirTextIsOpenAndNothingIsUnsaved()
    {
        var draft = new AudienceDraft("loyal");
        draft.Open(Opened);
        draft.Edit("loyal:\n  description: ours\n");

        draft.Refused(TheirSave(), draft.Text);
        Assert.NotNull(draft.ConflictDiff);

        Assert.True(draft.TakeTheirs());
        Assert.Equal(("loyal:\n  description: theirs\n", "v2", false), (draft.Text, draft.Opened!.Version, draft.Dirty));
        Assert.Null(draft.Conflict);
    }

    [Fact]
    public void SaveOverTheirs_KeepsOurTextAndExpectsTheirVersion()
    {
        var draft = new AudienceDraft("loyal");
        draft.Open(Opened);
        draft.Edit("loyal:\n  description: ours\n");
        draft.Refused(TheirSave(), draft.Text);

        Assert.True(draft.SaveOverTheirs());

        Assert.Equal(("loyal:\n  description: ours\n", "v2", true), (draft.Text, draft.Opened!.Version, draft.Dirty));
    }

    [Fact]
    public void TakeTheirs_WithoutAConflict_ChangesNothing()
    {
        var draft = new AudienceDraft("loyal");
        draft.Open(Opened);

        Assert.False(draft.TakeTheirs());
        Assert.False(draft.SaveOverTheirs());
        Assert.Equal(Opened, draft.Opened);
    }

    [Fact]
    public void Saved_NewAudience_WhatWasSavedIsOpenAndClean()
    {
        var draft = new AudienceDraft(null);
        draft.StartNew();
        draft.Edit("spring_sale:\n  description: x\n");

        draft.Saved("spring_sale", draft.Text, "v1");

        Assert.Equal(("spring_sale", "v1", false), (draft.Opened!.Name, draft.Opened.Version, draft.Dirty));
    }
}
