namespace Portal.Core.Adtech;

/// <summary>
/// One request a connector makes besides its create and add calls (a job-style API's job creation and run, a lookup):
/// a POST of <paramref name="Payload"/>, or a GET when it has none.
/// </summary>
public sealed record AdtechRequest(string Path, byte[]? Payload = null);
