using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Portal.Components.Pages;
using Portal.Components.Pages.Account;

namespace Portal.Tests.Web.Components;

/// <summary>
/// The fallback policy covers requests only; inside an open tab, AuthorizeRouteView checks the page's own attributes.
/// So every page says [Authorize], and the few that must open signed out say [AllowAnonymous].
/// </summary>
public sealed class PagesRequireSignInTests
{
    private static readonly Type[] AnonymousPages = [typeof(Login), typeof(AccessDenied), typeof(Error)];

    private static IEnumerable<Type> RoutablePages() =>
        typeof(Program).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any());

    [Fact]
    public void Pages_EveryRoutableComponent_RequiresSignInOrIsAListedAnonymousPage()
    {
        var pages = RoutablePages().ToList();
        Assert.Contains(typeof(Portal.Components.Pages.Dashboard.Dashboard), pages);

        var open = pages.Where(p => !AnonymousPages.Contains(p)
            && (!p.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Any() || p.GetCustomAttributes<AllowAnonymousAttribute>(inherit: true).Any()));

        Assert.Empty(open.Select(p => p.FullName));
    }

    [Fact]
    public void Pages_ListedAnonymousPages_SayAllowAnonymous()
    {
        Assert.All(AnonymousPages, p => Assert.True(p.GetCustomAttributes<AllowAnonymousAttribute>().Any(), $"{p.Name} opens signed out"));
    }

    [Fact]
    public void ChangePassword_Page_RequiresSignIn()
    {
        Assert.True(typeof(ChangePassword).GetCustomAttributes<AuthorizeAttribute>().Any());
        Assert.False(typeof(ChangePassword).GetCustomAttributes<AllowAnonymousAttribute>().Any());
    }
}
