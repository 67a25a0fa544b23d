namespace Portal.Core.Jobs;

/// <summary>
/// A failure that running the job again cannot fix (a file that breaks its schema, say): the job is marked Failed at
/// once, without the retries that other errors get, and its error is the message alone (no stack trace), for people.
/// </summary>
public class PermanentJobFailureException : Exception
{
    public PermanentJobFailureException()
    {
    }

    public PermanentJobFailureException(string message) : base(message)
    {
    }

    public PermanentJobFailureException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
