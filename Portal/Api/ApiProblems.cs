using Microsoft.AspNetCore.Http.HttpResults;

namespace Portal.Api;

/// <summary>The API's 400 for bad input: problem details whose <c>errors</c> name the field or parameter at fault.</summary>
internal static class ApiProblems
{
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);
}
