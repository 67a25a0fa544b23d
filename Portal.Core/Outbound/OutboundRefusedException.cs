namespace Portal.Core.Outbound;

/// <summary>
/// A request the portal refused to make (an address or scheme its outbound policy does not allow). An
/// <see cref="HttpRequestException"/>, so callers that report unreachable hosts report it too.
/// </summary>
public sealed class OutboundRefusedException(string message) : HttpRequestException(message)
{
    /// <summary>The refusal in <paramref name="exception"/> or its inner exceptions (the handler wraps connect failures).</summary>
    public static OutboundRefusedException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OutboundRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }
}
