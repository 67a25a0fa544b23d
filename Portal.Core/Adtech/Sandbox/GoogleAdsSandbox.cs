using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// Google Ads Customer Match in the sandbox (membershipLifeSpan 0 to 540, list names unique per customer, one running
/// job per list, jobs polled through googleAds:search), on the API's real REST paths under the sandbox's Google base URL
/// (<c>google-ads/</c>, then <c>/vNN/customers/…</c>): CRM-based user lists, offline user data
/// jobs (create, addOperations of create or remove operations with partial failure, or a removeAll, run). A job holds
/// one kind of operation: a request or job mixing them is refused with CONFLICTING_OPERATION. Which users each list
/// holds is kept in <see cref="SandboxState.Members"/> when a job succeeds. It checks the bearer token and the developer-token header,
/// required fields and enums, and Google's caps: at most 100,000 identifiers per addOperations request and 20 per user.
/// Errors have Google's shape, <c>{"error": {"code", "message", "status"}}</c>.
/// </summary>
internal static class GoogleAdsSandbox
{
    public const string Api = "googleAds";
    private const string Root = "/customers/{customerId}";
    private static readonly string[] UploadKeyTypes = ["CONTACT_INFO", "CRM_ID", "MOBILE_ADVERTISING_ID"];
    private static readonly string[] JobTypes = ["CUSTOMER_MATCH_USER_LIST", "CUSTOMER_MATCH_WITH_ATTRIBUTES", "STORE_SALES_UPLOAD_FIRST_PARTY", "STORE_SALES_UPLOAD_THIRD_PARTY"];
    private static readonly string[] IdentifierKinds = ["hashedEmail", "hashedPhoneNumber", "mobileId", "thirdPartyUserId", "addressInfo"];

    public static void MapGoogleAds(this RouteGroupBuilder sandbox, SandboxState state)
    {
        var group = sandbox.MapGroup("/google-ads/{version}");
        group.AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("version") is string version && IsVersion(version)
                ? await next(context)
                : UnknownVersion(context.HttpContext.GetRouteValue("version")?.ToString() ?? ""));
        group.MapGet("/customers:listAccessibleCustomers", (HttpContext http) =>
            !SandboxConnectionChecks.Authorized(http, state) || http.Request.Headers["developer-token"] != state.DeveloperToken
                ? Error(401, "The credentials or the developer token are not valid", "UNAUTHENTICATED")
                : SandboxResults.Json(new { resourceNames = new[] { "customers/1234567890" } }));
        group.MapPost($"{Root}/userLists:mutate", (string customerId, HttpContext http) => HandleAsync(http, state, customerId, body =>
        {
            if (!body.TryGetProperty("operations", out var operations) || operations.ValueKind != JsonValueKind.Array || operations.GetArrayLength() != 1)
            {
                return Error(400, "operations must hold exactly one operation");
            }

            if (!operations[0].TryGetProperty("create", out var create) || AdtechSandbox.Text(create, "name").Length == 0)
            {
                return Error(400, "operations[0].create.name is required");
            }

            if (!create.TryGetProperty("crmBasedUserList", out var crm) || !UploadKeyTypes.Contains(AdtechSandbox.Text(crm, "uploadKeyType")))
            {
                return Error(400, $"crmBasedUserList.uploadKeyType must be one of {string.Join(", ", UploadKeyTypes)}");
            }

            if (create.TryGetProperty("membershipLifeSpan", out var span)
                && (span.ValueKind != JsonValueKind.Number || !span.TryGetInt32(out var days) || days is < 0 or > 540))
            {
                return Error(400, "INVALID_VALUE: membershipLifeSpan must be 0 to 540 days");
            }

            var name = AdtechSandbox.Text(create, "name");
            var userList = $"customers/{customerId}/userLists/{state.NewId("7")}";
            if (!state.UserListNames.TryAdd($"{customerId}\n{name}", userList))
            {
                return Failure(400, "userListError", "NAME_ALREADY_USED", "Name is already being used for another user list for the account.");
            }

            state.AudienceMembers[userList] = 0;
            state.Calls.Enqueue(new SandboxCall(Api, userList, 0));
            return SandboxResults.Json(new { results = new[] { new { resourceName = userList } } });
        }));

        group.MapPost($"{Root}/googleAds:search", (string customerId, HttpContext http) => HandleAsync(http, state, customerId, body =>
            Search(state, customerId, AdtechSandbox.Text(body, "query"))));

        group.MapPost($"{Root}/offlineUserDataJobs:create", (string customerId, HttpContext http) => HandleAsync(http, state, customerId, body =>
        {
            if (!body.TryGetProperty("job", out var job) || !JobTypes.Contains(AdtechSandbox.Text(job, "type")))
            {
                return Error(400, $"job.type must be one of {string.Join(", ", JobTypes)}");
            }

            var userList = job.TryGetProperty("customerMatchUserListMetadata", out var metadata) ? AdtechSandbox.Text(metadata, "userList") : "";
            if (AdtechSandbox.Text(job, "type") != "CUSTOMER_MATCH_USER_LIST" || !userList.StartsWith($"customers/{customerId}/userLists/", StringComparison.Ordinal)
                || !state.AudienceMembers.ContainsKey(userList))
            {
                return Error(400, $"job.customerMatchUserListMetadata.userList must name a user list of customer {customerId}");
            }

            var name = $"customers/{customerId}/offlineUserDataJobs/{state.NewId("5")}";
            state.Jobs[name] = new SandboxJob(userList)
            {
                Consented = metadata.TryGetProperty("consent", out var consent)
                    && AdtechSandbox.Text(consent, "adUserData") == "GRANTED" && AdtechSandbox.Text(consent, "adPersonalization") == "GRANTED",
            };
            state.Calls.Enqueue(new SandboxCall(Api, userList, 0));
            return SandboxResults.Json(new { resourceName = name });
        }));

        group.MapPost($"{Root}/offlineUserDataJobs/{{jobId}}:addOperations", (string customerId, string jobId, HttpContext http) =>
            HandleAsync(http, state, customerId, body => AddOperations(state, $"customers/{customerId}/offlineUserDataJobs/{jobId}", body, AdtechSandbox.PartialFailures(http))));

        group.MapPost($"{Root}/offlineUserDataJobs/{{jobId}}:run", (string customerId, string jobId, HttpContext http) => HandleAsync(http, state, customerId, _ =>
        {
            var name = $"customers/{customerId}/offlineUserDataJobs/{jobId}";
            if (!state.Jobs.TryGetValue(name, out var job))
            {
                return Error(404, $"No offline user data job {name}", "NOT_FOUND");
            }

            lock (job)
            {
                if (job.Ran)
                {
                    return Error(400, "The job is not PENDING: it has already been run");
                }

                if (state.Jobs.Values.Any(other => other != job && other.UserList == job.UserList && other.Status == "RUNNING"))
                {
                    return Failure(409, "databaseError", "CONCURRENT_MODIFICATION", "Multiple requests were attempting to modify the same resource at once. Retry the request.", "ABORTED");
                }

                job.Ran = true;
                job.Status = "RUNNING";
                job.FailureReason = state.NextJobFailure;
                state.NextJobFailure = null;
            }

            state.Calls.Enqueue(new SandboxCall(Api, job.UserList, 0));
            return SandboxResults.Json(new { name = $"customers/{customerId}/operations/{jobId}" });
        }));
    }

    private static IResult AddOperations(SandboxState state, string name, JsonElement body, int partialFailures)
    {
        if (!state.Jobs.TryGetValue(name, out var job))
        {
            return Error(404, $"No offline user data job {name}", "NOT_FOUND");
        }

        if (!body.TryGetProperty("operations", out var operations) || operations.ValueKind != JsonValueKind.Array || operations.GetArrayLength() == 0)
        {
            return Error(400, "operations are required");
        }

        var failed = new SortedDictionary<int, string>();
        var rows = new List<UInt128>();
        string? kind = null;
        var identifiers = 0;
        var index = 0;
        foreach (var operation in operations.EnumerateArray())
        {
            if (operation.ValueKind == JsonValueKind.Object && operation.TryGetProperty("removeAll", out var all))
            {
                if (all.ValueKind != JsonValueKind.True)
                {
                    return Error(400, $"operations[{index}].removeAll must be true");
                }

                if ((kind ??= "removeAll") != "removeAll")
                {
                    return ConflictingOperation();
                }

                index++;
                continue;
            }

            var op = operation.ValueKind != JsonValueKind.Object ? null : operation.TryGetProperty("create", out _) ? "create" : operation.TryGetProperty("remove", out _) ? "remove" : null;
            if (op is null || !operation.GetProperty(op).TryGetProperty("userIdentifiers", out var ids)
                || ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() == 0)
            {
                return Error(400, $"operations[{index}]: create.userIdentifiers or remove.userIdentifiers is required");
            }

            if ((kind ??= op) != op)
            {
                return ConflictingOperation();
            }

            if (ids.GetArrayLength() > 20)
            {
                return TooManyIdentifiers();
            }

            identifiers += ids.GetArrayLength();
            if (index < partialFailures)
            {
                failed[index] = "Sandbox partial failure";
            }
            else if (ids.EnumerateArray().Any(id => !IsValidIdentifier(id)))
            {
                failed[index] = "The identifier is not a lower-case hex SHA-256 hash";
            }
            else if (state.Members.Kept)
            {
                rows.Add(state.Members.Key([.. Hashes(ids, "hashedEmail")], [.. Hashes(ids, "hashedPhoneNumber")], []));
            }

            index++;
        }

        if (identifiers > 100_000)
        {
            return TooManyIdentifiers();
        }

        var partial = body.TryGetProperty("enablePartialFailure", out var p) && p.ValueKind == JsonValueKind.True;
        if (failed.Count > 0 && !partial)
        {
            return Error(400, $"operations[{failed.First().Key}]: {failed.First().Value}");
        }

        var applied = index - failed.Count;
        lock (job)
        {
            if (job.Ran)
            {
                return Error(400, "The job is not PENDING: operations can no longer be added");
            }

            if ((job.Operation ??= kind) != kind)
            {
                return ConflictingOperation();
            }

            job.Pending += applied;
            job.Rows.AddRange(rows);
        }

        state.Calls.Enqueue(new SandboxCall(Api, job.UserList, applied));
        if (failed.Count == 0)
        {
            return SandboxResults.Json(new { });
        }

        var errors = failed.Select(f => new
        {
            errorCode = new { offlineUserDataJobError = "INVALID_SHA256_FORMAT" },
            message = f.Value,
            location = new { fieldPathElements = new object[] { new { fieldName = "operations", index = f.Key }, new { fieldName = "create" } } },
        });
        return SandboxResults.Json(new
        {
            partialFailureError = new
            {
                code = 3,
                message = $"{failed.Count} of {index} operations failed",
                details = new[] { new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure", ["errors"] = errors } },
            },
        });
    }

    /// <summary>The values of one kind of identifier in a user's identifiers.</summary>
    private static IEnumerable<string> Hashes(JsonElement ids, string kind) =>
        ids.EnumerateArray().Where(id => id.TryGetProperty(kind, out _)).Select(id => id.GetProperty(kind).GetString() ?? "");

    /// <summary>Google's refusal of a job that would hold both create and remove operations.</summary>
    private static IResult ConflictingOperation() =>
        Failure(400, "offlineUserDataJobError", "CONFLICTING_OPERATION", "Create and remove operations cannot be mixed in the same job.");

    private static bool IsValidIdentifier(JsonElement identifier)
    {
        if (identifier.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var properties = identifier.EnumerateObject().ToList();
        if (properties.Count != 1 || !IdentifierKinds.Contains(properties[0].Name))
        {
            return false;
        }

        var value = properties[0].Value;
        return properties[0].Name is not ("hashedEmail" or "hashedPhoneNumber")
            || (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: 64 } hash && hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'));
    }

    /// <summary>
    /// GAQL on <c>user_list</c> by name (the list's resource name) or by resource name (its sizes and match rate, <see cref="SandboxReports"/>), or on <c>offline_user_data_job</c> by resource name: the job's status, and its failure reason when it FAILED. A
    /// job that ran is RUNNING for <see cref="SandboxState.JobLooksWhileRunning"/> looks, then it ends: its users join the
    /// list (SUCCESS), or none do (FAILED, when <see cref="SandboxState.NextJobFailure"/> was set as it ran).
    /// </summary>
    private static IResult Search(SandboxState state, string customerId, string query)
    {
        const string ListResource = "user_list.resource_name = '";
        if (query.Contains("FROM user_list", StringComparison.Ordinal) && query.IndexOf(ListResource, StringComparison.Ordinal) is >= 0 and var named)
        {
            var resourceName = query[(named + ListResource.Length)..].Split('\'')[0];
            return resourceName.StartsWith($"customers/{customerId}/", StringComparison.Ordinal)
                ? SandboxReports.UserListSizes(state, resourceName)
                : SandboxResults.Json(new { results = Array.Empty<object>() });
        }

        const string ListName = "user_list.name = '";
        if (query.Contains("FROM user_list", StringComparison.Ordinal) && query.IndexOf(ListName, StringComparison.Ordinal) is >= 0 and var from)
        {
            var wanted = query[(from + ListName.Length)..^1].Replace("\\'", "'", StringComparison.Ordinal);
            return SandboxResults.Json(new
            {
                results = state.UserListNames.TryGetValue($"{customerId}\n{wanted}", out var list)
                    ? new[] { new { userList = new { resourceName = list, name = wanted } } }
                    : [],
            });
        }

        const string Prefix = "offline_user_data_job.resource_name = '";
        var at = query.IndexOf(Prefix, StringComparison.Ordinal);
        if (!query.Contains("FROM offline_user_data_job", StringComparison.Ordinal) || at < 0)
        {
            return Error(400, "The sandbox answers GAQL on offline_user_data_job by resource_name only");
        }

        var name = query[(at + Prefix.Length)..].Split('\'')[0];
        if (!name.StartsWith($"customers/{customerId}/", StringComparison.Ordinal) || !state.Jobs.TryGetValue(name, out var job))
        {
            return SandboxResults.Json(new { results = Array.Empty<object>() });
        }

        lock (job)
        {
            if (job.Status == "RUNNING" && ++job.Looks > state.JobLooksWhileRunning)
            {
                job.Status = job.FailureReason is null ? "SUCCESS" : "FAILED";
                if (job.FailureReason is null && job.Operation == "removeAll")
                {
                    state.Members.Replace(job.UserList, []);
                    state.AudienceMembers[job.UserList] = 0;
                }
                else if (job.FailureReason is null && job.Operation == "remove")
                {
                    var removed = state.Members.Kept ? state.Members.Remove(job.UserList, job.Rows) : job.Pending;
                    state.AudienceMembers.AddOrUpdate(job.UserList, 0, (_, n) => n - removed);
                }
                else if (job.FailureReason is null)
                {
                    state.AudienceMembers.AddOrUpdate(job.UserList, job.Pending, (_, n) => n + job.Pending);
                    state.Members.Add(job.UserList, job.Rows);
                }
            }

            var found = new Dictionary<string, string> { ["resourceName"] = name, ["status"] = job.Status };
            if (job.Status == "FAILED")
            {
                found["failureReason"] = job.FailureReason!;
            }

            return SandboxResults.Json(new { results = new[] { new { offlineUserDataJob = found } } });
        }
    }

    /// <summary>A Google Ads failure: the error with Google's <c>GoogleAdsFailure</c> details naming one error code.</summary>
    internal static IResult Failure(int code, string kind, string errorCode, string message, string status = "INVALID_ARGUMENT") =>
        SandboxResults.Json(new
        {
            error = new
            {
                code,
                message = "Request contains an invalid argument.",
                status,
                details = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["@type"] = "type.googleapis.com/google.ads.googleads.v24.errors.GoogleAdsFailure",
                        ["errors"] = new[] { new { errorCode = new Dictionary<string, string> { [kind] = errorCode }, message } },
                    },
                },
            },
        }, statusCode: code);

    /// <summary>A Google Ads API version as paths carry it: <c>v</c> and the major number.</summary>
    internal static bool IsVersion(string version) => version.Length > 1 && version[0] == 'v' && version[1..].All(char.IsAsciiDigit);

    internal static IResult UnknownVersion(string version) => Error(404, $"No Google Ads API version '{version}'", "NOT_FOUND");

    private static IResult TooManyIdentifiers() =>
        Error(400, "TOO_MANY_USER_IDENTIFIERS: Maximum number of user identifiers allowed per request is 100,000 and per operation is 20.");

    /// <summary>Checks the credentials and the body, then lets <paramref name="handle"/> answer.</summary>
    private static async Task<IResult> HandleAsync(HttpContext http, SandboxState state, string customerId, Func<JsonElement, IResult> handle)
    {
        if (http.Request.Headers.Authorization != $"Bearer {state.AccessToken}")
        {
            return Error(401, "Request is missing required authentication credential or it is invalid", "UNAUTHENTICATED");
        }

        if (http.Request.Headers["developer-token"] != state.DeveloperToken)
        {
            return Error(401, "The developer token is not valid", "UNAUTHENTICATED");
        }

        var login = http.Request.Headers["login-customer-id"].ToString();
        if (customerId.Length == 0 || !customerId.All(char.IsAsciiDigit) || (login.Length > 0 && !login.All(char.IsAsciiDigit)))
        {
            return Error(400, "Customer ids (in the path and login-customer-id) must be digits without dashes");
        }

        var (document, invalid) = await AdtechSandbox.ReadObjectAsync(http.Request);
        if (document is null)
        {
            return Error(400, invalid!);
        }

        using var _ = document;
        return handle(document.RootElement);
    }

    private static IResult Error(int code, string message, string status = "INVALID_ARGUMENT") =>
        SandboxResults.Json(new { error = new { code, message, status } }, statusCode: code);
}
