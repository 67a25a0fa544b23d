using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Core.Accounts;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Tests.TestSupport;

/// <summary>A bUnit context whose services are the real core services of a <see cref="CoreHost"/> (real SQLite).</summary>
public static class ComponentContext
{
    public static BunitContext Create(CoreHost host, string user, string role)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddSingleton(host.Get<JobQueries>());
        ctx.Services.AddSingleton(host.Get<JobQueue>());
        ctx.Services.AddSingleton(host.Get<JobNotifier>());
        ctx.Services.AddSingleton(host.Get<JobSchedules>());
        ctx.Services.AddSingleton(host.Get<DatabaseSettings>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Dashboard.DashboardQueries>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Audiences.AudienceEditor>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Audiences.AudienceQueries>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Audiences.AudienceSyncRequests>());
        ctx.Services.AddTransient(_ => Portal.Components.Pages.Audiences.LiveValidation.For(host.Get<Portal.Core.Audiences.AudienceEditor>()));
        ctx.Services.AddSingleton(host.Get<Portal.Core.Adtech.ExportRunQueries>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Adtech.ConnectionHealth>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Rules.RuleService>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Rules.RuleVocabulary>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Rules.RuleQueries>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Segments.SegmentQueries>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Segments.DependencyFinder>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Segments.SegmentEstimator>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Segments.SegmentImpact>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Segments.SegmentAudiences>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Adtech.AdtechConnectionStore>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Lineage.LineageBuilder>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Lineage.LineageGraphCache>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Lineage.LineageLayout>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Uploads.UploadService>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Uploads.ImportedFileQueries>());
        ctx.Services.AddSingleton(host.Get<Portal.Core.Uploads.DatasetHealthQueries>());
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.Services.AddScoped<ThemeState>();
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized(user);
        auth.SetRoles(role);
        if (role is Roles.Admin or Roles.Marketer)
        {
            auth.SetPolicies(Policies.RunJobs, Policies.Operator);
        }

        if (role is Roles.Admin)
        {
            auth.SetPolicies(Policies.RunJobs, Policies.Operator, Policies.Admin);
        }

        return ctx;
    }
}
