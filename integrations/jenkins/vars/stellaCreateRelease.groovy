import groovy.json.JsonOutput
import groovy.json.JsonSlurperClassic

/**
 * Creates a release in the Stella release gateway ({@code POST <url>/api/v1/releases}) and returns
 * it: a map with at least {@code id} and {@code name}, as the gateway answered.
 *
 * <pre>
 * def release = stellaCreateRelease(
 *     url: 'https://stella.example.com',
 *     credentialsId: 'stella-ci-token',                       // a Secret text credential
 *     name: "myapp-${env.TAG_NAME}",
 *     components: [[componentId: 'myapp', digest: digest]])
 * echo "release ${release.id}"
 * </pre>
 *
 * Optional: {@code sourceRef} (default: type git, {@code env.GIT_URL}, {@code env.GIT_COMMIT},
 * {@code env.TAG_NAME}, or {@code env.BRANCH_NAME} for a branch build; left out when there is no
 * Git checkout), {@code metadata} (default: the job, build number and build URL), and
 * {@code idempotencyKey} (default {@code "${env.JOB_NAME}-${env.BUILD_NUMBER}"}: a step retried
 * in the same build gets the first answer back instead of a 409 on the name).
 *
 * Needs the HTTP Request plugin (https://www.jenkins.io/doc/pipeline/steps/http_request/) and
 * the Credentials Binding plugin (https://www.jenkins.io/doc/pipeline/steps/credentials-binding/).
 * A refusal fails the build with the gateway's code, message and every invalid field.
 */
def call(Map args = [:]) {
    String url = requiredText(args, 'url')
    // The token travels with the request: only over TLS, or to the agent itself.
    if (!(url ==~ /(https:\/\/\S+|http:\/\/(localhost|127\.\d+\.\d+\.\d+)(:\d+)?(\/\S*)?)/)) {
        error("stellaCreateRelease: url must be https:// (plain http:// only to localhost), not ${url}")
    }
    String credentialsId = requiredText(args, 'credentialsId')
    String name = requiredText(args, 'name')
    if (!(args.components instanceof List) || args.components.isEmpty()) {
        error('stellaCreateRelease: components must be a non-empty list such as [[componentId: \'myapp\', digest: \'sha256:...\']]')
    }
    Map body = [name: name, components: args.components]
    Map sourceRef = args.containsKey('sourceRef') ? args.sourceRef : defaultSourceRef(env)
    if (sourceRef) {
        body.sourceRef = sourceRef
    }
    body.metadata = args.containsKey('metadata') ? args.metadata : defaultMetadata(env)
    String idempotencyKey = args.idempotencyKey ?: "${env.JOB_NAME}-${env.BUILD_NUMBER}"
    String endpoint = url.replaceAll('/+$', '') + '/api/v1/releases'
    String requestBody = toJson(body)

    def response
    // The token lives only inside this block; maskValue hides the header in the build log, and
    // consoleLogResponseBody false keeps the answer out of it unless we print it.
    withCredentials([string(credentialsId: credentialsId, variable: 'STELLA_CREATE_RELEASE_TOKEN')]) {
        response = httpRequest(
                httpMode: 'POST',
                url: endpoint,
                contentType: 'APPLICATION_JSON',
                customHeaders: [
                        [name: 'Authorization', value: 'Bearer ' + env.STELLA_CREATE_RELEASE_TOKEN, maskValue: true],
                        [name: 'Idempotency-Key', value: idempotencyKey.toString()]],
                requestBody: requestBody,
                // Every status comes back to us, so a refusal is reported with the gateway's own words.
                validResponseCodes: '100:599',
                consoleLogResponseBody: false,
                quiet: true)
    }
    int status = response.status as int
    if (status < 200 || status > 299) {
        error(refusal(name, status, response.content as String))
    }
    Map release = parse(response.content as String)?.data
    if (!(release instanceof Map) || !release.id) {
        error("stellaCreateRelease: HTTP ${status} without a release in the answer")
    }
    echo "stellaCreateRelease: release ${release.name} is ${release.id}"
    return release
}

/** The Git source Jenkins checked out, or null when the build has no Git checkout. */
@NonCPS
static Map defaultSourceRef(env) {
    if (!env.GIT_URL || !env.GIT_COMMIT) {
        return null
    }
    Map ref = [type: 'git', repository: env.GIT_URL as String, commit: env.GIT_COMMIT as String]
    if (env.TAG_NAME) {
        ref.tag = env.TAG_NAME as String
    } else if (env.BRANCH_NAME && !env.CHANGE_ID) {
        // In a multibranch job BRANCH_NAME is the branch; for a pull request it is PR-n, no branch.
        ref.branch = env.BRANCH_NAME as String
    }
    return ref
}

/** Values a retry of the step in the same build shares, so it sends the same body again. */
@NonCPS
static Map defaultMetadata(env) {
    return [ci: 'jenkins', job: env.JOB_NAME, buildNumber: env.BUILD_NUMBER, buildUrl: env.BUILD_URL]
            .findAll { it.value }
            .collectEntries { [it.key, it.value as String] }
}

String requiredText(Map args, String key) {
    if (!(args[key] instanceof CharSequence) || args[key].toString().trim().isEmpty()) {
        error("stellaCreateRelease: ${key} is required")
    }
    return args[key].toString()
}

/** JSON text of plain maps, lists and strings; GStrings become their text. */
@NonCPS
static String toJson(Object value) {
    return JsonOutput.toJson(value)
}

/** Plain HashMaps and ArrayLists (serializable, so safe across a CPS checkpoint); null when not JSON. */
@NonCPS
static Map parse(String text) {
    try {
        def parsed = new JsonSlurperClassic().parseText(text ?: '')
        return parsed instanceof Map ? parsed : null
    } catch (Exception ignored) {
        return null
    }
}

/** The error envelope's code and message, then every invalid field, one a line. */
@NonCPS
static String refusal(String name, int status, String content) {
    Map error = parse(content)?.error
    if (!(error instanceof Map)) {
        String text = (content ?: '').take(500)
        return "stellaCreateRelease: the gateway refused release '${name}' (HTTP ${status}): ${text}"
    }
    StringBuilder message = new StringBuilder(
            "stellaCreateRelease: the gateway refused release '${name}' (HTTP ${status} ${error.code}): ${error.message}")
    (error.validationErrors ?: []).each { v ->
        message.append("\n  ${v.field}: ${v.message} (${v.code})")
    }
    return message.toString()
}
