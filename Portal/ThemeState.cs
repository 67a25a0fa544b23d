namespace Portal;

/// <summary>The circuit's light/dark choice, seeded from the <c>portal.theme</c> cookie when the page was first rendered.</summary>
public sealed class ThemeState
{
    public const string CookieName = "portal.theme";

    public bool IsDark { get; private set; }

    public event Action? Changed;

    public void Initialize(string? cookieValue) => IsDark = cookieValue == "dark";

    public void Set(bool dark)
    {
        if (IsDark == dark)
        {
            return;
        }

        IsDark = dark;
        Changed?.Invoke();
    }
}
