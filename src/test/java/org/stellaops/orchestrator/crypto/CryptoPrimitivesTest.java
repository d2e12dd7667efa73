package org.stellaops.orchestrator.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CryptoPrimitivesTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("the signature header matches GitHub's documented example")
  void githubExample() {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    String expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assertThat(Hmac.signature("It's a Secret to Everybody", utf8("Hello, World!"))).isEqualTo(expected);
    assertThat(Hmac.signatureMatches("It's a Secret to Everybody", expected, utf8("Hello, World!"))).isTrue();
    assertThat(Hmac.signatureMatches("It's a Secret to Everybody", expected.toUpperCase().replace("SHA256=", "sha256=")
        + " ", utf8("Hello, World!"))).isTrue();
  }

  @Test
  @DisplayName("a signature over another body, under another secret, without its prefix or missing does not match")
  void signatureMismatches() {
    String signature = Hmac.signature("s3cret", utf8("body"));
    assertThat(Hmac.signatureMatches("s3cret", signature, utf8("body!"))).isFalse();
    assertThat(Hmac.signatureMatches("other", signature, utf8("body"))).isFalse();
    assertThat(Hmac.signatureMatches("s3cret", signature.substring("sha256=".length()), utf8("body"))).isFalse();
    assertThat(Hmac.signatureMatches("s3cret", null, utf8("body"))).isFalse();
  }

  @Test
  @DisplayName("HMAC-SHA256 gives RFC 4231's first test vector")
  void rfc4231() {
    byte[] key = new byte[20];
    java.util.Arrays.fill(key, (byte) 0x0b);
    assertThat(HexFormat.of().formatHex(Hmac.sha256(key, utf8("Hi There"))))
        .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  }

  @Test
  @DisplayName("SHA-256 gives FIPS 180-2's digest of \"abc\", the same on every call")
  void sha256() {
    String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertThat(Sha256.hex(utf8("abc"))).isEqualTo(abc);
    assertThat(Sha256.hex(utf8("abc"))).isEqualTo(abc);
    assertThat(HexFormat.of().formatHex(Sha256.of("abc"))).isEqualTo(abc);
  }

  @Test
  @DisplayName("a secret is the same only as itself; a missing one never is")
  void constantTimeSame() {
    assertThat(ConstantTime.same("token-1", "token-1")).isTrue();
    assertThat(ConstantTime.same("token-1", "token-2")).isFalse();
    assertThat(ConstantTime.same("token-1", "token-1 ")).isFalse();
    assertThat(ConstantTime.same("token-1", null)).isFalse();
  }

  @Test
  @DisplayName("random tokens are 256-bit url-safe strings that do not repeat")
  void randomTokens() {
    String a = RandomTokens.of(32);
    assertThat(a).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(RandomTokens.of(32)).isNotEqualTo(a);
  }

  @Test
  @DisplayName("sealed credentials open for their owner under the same key only")
  void credentialCipher() {
    CredentialCipher cipher = new CredentialCipher(new SecretKeySpec(new byte[32], "AES"));
    UUID owner = UUID.randomUUID();
    JsonObject credentials = new JsonObject().put("token", "glpat-secret");
    byte[] sealed = cipher.encrypt(owner, credentials);

    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("glpat-secret");
    assertThat(cipher.decrypt(owner, sealed)).isEqualTo(credentials);
    assertThat(cipher.encrypt(owner, credentials)).as("a fresh nonce per value").isNotEqualTo(sealed);
    assertThatThrownBy(() -> cipher.decrypt(UUID.randomUUID(), sealed)).isInstanceOf(IllegalStateException.class);
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThatThrownBy(() -> new CredentialCipher(new SecretKeySpec(otherKey, "AES")).decrypt(owner, sealed))
        .hasMessageContaining("STELLA_MASTER_KEY");
    sealed[sealed.length - 1] ^= 1;
    assertThatThrownBy(() -> cipher.decrypt(owner, sealed)).isInstanceOf(IllegalStateException.class);
  }
}
