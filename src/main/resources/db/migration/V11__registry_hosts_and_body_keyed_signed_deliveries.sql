-- 1. Every registry integration gets config.registryHosts, the registry hosts it may report on;
--    a notification naming any other host is ignored.
--    - registry.ghcr, registry.dockerhub, registry.quay: their one public host.
--    - the self-hosted types: what the row already says about its registry, all of it chosen by
--      an administrator: the host of config.registryUrl (the registry API the gateway calls),
--      config.registryHost (the public name notifications are renamed to), and the registry host
--      of every component bound to the integration (component.registry_integration_id).
--    A row where none of these is known gets an empty list: it then reports on no host, every
--    image notification it sends is ignored with a reason saying to set config.registryHosts,
--    and the next PATCH of the integration is refused until the list is set.
UPDATE integration
SET config = config || jsonb_build_object('registryHosts', CASE type
        WHEN 'registry.ghcr' THEN '["ghcr.io"]'::jsonb
        WHEN 'registry.dockerhub' THEN '["docker.io"]'::jsonb
        ELSE '["quay.io"]'::jsonb END)
WHERE type IN ('registry.ghcr', 'registry.dockerhub', 'registry.quay');

WITH named AS (
    SELECT i.id, CASE WHEN h.host IN ('index.docker.io', 'registry-1.docker.io') THEN 'docker.io'
                      ELSE rtrim(h.host, '.') END AS host
    FROM integration i
    CROSS JOIN LATERAL (
        SELECT lower(substring(i.config ->> 'registryUrl'
                               FROM '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#]+)')) AS host
        UNION
        SELECT lower(i.config ->> 'registryHost')
        UNION
        SELECT split_part(c.image_repository, '/', 1) FROM component c WHERE c.registry_integration_id = i.id
    ) h
    WHERE i.type IN ('registry.distribution', 'registry.harbor', 'registry.acr', 'registry.gar', 'registry.ecr')
      AND i.config -> 'registryHosts' IS NULL
), derived AS (
    SELECT id, coalesce(jsonb_agg(DISTINCT host ORDER BY host) FILTER (WHERE host IS NOT NULL AND host <> ''),
                        '[]'::jsonb) AS hosts
    FROM named
    GROUP BY id
)
UPDATE integration i
SET config = i.config || jsonb_build_object('registryHosts', d.hosts)
FROM derived d
WHERE i.id = d.id;

UPDATE integration
SET config = config || '{"registryHosts": []}'::jsonb
WHERE type IN ('registry.distribution', 'registry.harbor', 'registry.acr', 'registry.gar', 'registry.ecr')
  AND config -> 'registryHosts' IS NULL;

-- 2. Deliveries from senders whose HMAC signature covers only the body (GitHub workflow_run,
--    GHCR package events) are keyed by a hash of the body instead of the unsigned
--    X-GitHub-Delivery, so a captured body sent again under a new delivery id is a duplicate.
--    Stored deliveries are re-keyed the same way, so bodies received before this migration are
--    covered too. Where one body is stored more than once already (a redelivery, or a replay
--    under a new id), only the first row takes the body's key; the others keep theirs.
--    Reads the body of every GitHub and GHCR delivery once.
UPDATE webhook_delivery AS d
SET delivery_key = r.body_key
FROM (
    SELECT seq, body_key,
           row_number() OVER (PARTITION BY source, body_key
                              ORDER BY (delivery_key = body_key) DESC, seq) AS nth
    FROM (SELECT seq, source, delivery_key, 'sha256:' || encode(sha256(body), 'hex') AS body_key
          FROM webhook_delivery
          WHERE integration_type IN ('registry.ghcr', 'ci.github')) AS keyed
) AS r
WHERE d.seq = r.seq AND r.nth = 1 AND d.delivery_key <> r.body_key;
