using Bunit;
using Microsoft.AspNetCore.Components;
using Portal.Components.Layout;
using Portal.Core.Accounts;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Layout;

public sealed class LayoutTests : DatabaseTest
{
    [Fact]
    public async Task MainLayout_ForAdmin_ShowsEveryNavigationItemBreadcrumbAndStatusBar()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "admin@tests.local", Roles.Admin);
        var layout = ctx.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<h1>Body here</h1>"))));

        var links = layout.FindAll("nav a[data-nav-index]").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(PortalNavigation.Items.Select(i => i.Title), links);
        Assert.Contains("Body here", layout.Markup, StringComparison.Ordinal);
        Assert.NotNull(layout.Find("nav[aria-label='Breadcrumb']"));
        Assert.Contains("0 running", layout.Find("[data-testid='status-running']").TextContent, StringComparison.Ordinal);
        Assert.Contains("Audience Portal", layout.Markup, StringComparison.Ordinal);
        Assert.Equal("Switch to dark theme", layout.Find("button[aria-label^='Switch to']").GetAttribute("aria-label"));
    }

    [Fact]
    public async Task MainLayout_ForViewer_HidesAdmin()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "viewer@tests.local", Roles.Viewer);
        var layout = ctx.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(_ => { })));
        var links = layout.FindAll("nav a[data-nav-index]").Select(a => a.TextContent.Trim()).ToList();
        Assert.DoesNotContain("Admin", links);
        Assert.Contains("Jobs", links);
    }

    [Fact]
    public async Task MainLayout_ThemeButton_SwitchesToDark()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "admin@tests.local", Roles.Admin);
        var layout = ctx.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(_ => { })));
        await layout.InvokeAsync(() => layout.Find("button[aria-label='Switch to dark theme']").ClickAsync(new()));
        Assert.NotNull(layout.Find("button[aria-label='Switch to light theme']"));
        Assert.True(ctx.Services.GetService(typeof(ThemeState)) is ThemeState { IsDark: true });
        ctx.JSInterop.VerifyInvoke("portal.setTheme");
    }

    [Fact]
    public async Task StatusBar_WhenAJobIsQueued_UpdatesWithoutReload()
    {
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(), new Dictionary<string, string?> { ["Jobs:MaxConcurrency"] = "1" });
        await using var ctx = ComponentContext.Create(host, "admin@tests.local", Roles.Admin);
        var bar = ctx.Render<StatusBar>();
        Assert.Equal("0 queued", bar.Find("[data-testid='status-queued']").TextContent.Trim());

        var control = host.Get<TestJobControl>();
        await host.Get<JobQueue>().EnqueueAsync(BlockingJob.Kind, CoreHost.Admin);
        await control.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.Get<JobQueue>().EnqueueAsync(BlockingJob.Kind, CoreHost.Admin);

        await bar.WaitForAssertionAsync(() =>
        {
            Assert.Equal("1 running", bar.Find("[data-testid='status-running']").TextContent.Trim());
            Assert.Equal("1 queued", bar.Find("[data-testid='status-queued']").TextContent.Trim());
            Assert.Contains("30%", bar.Markup, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10));

        control.Release.SetResult();
        await bar.WaitForAssertionAsync(() =>
        {
            Assert.Equal("0 running", bar.Find("[data-testid='status-running']").TextContent.Trim());
            Assert.Equal("0 queued", bar.Find("[data-testid='status-queued']").TextContent.Trim());
        }, TimeSpan.FromSeconds(20));
    }
}
