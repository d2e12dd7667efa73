package org.stellaops.orchestrator.platform;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/**
 * One field of a JSON merge patch (https://www.rfc-editor.org/rfc/rfc7396): absent from the body
 * ({@link Keep}), sent with a value ({@link To}), or sent as {@code null} ({@link Clear}). A field whose
 * {@code null} means its default rather than "none" is read as {@code To(default)} ({@link #clearingTo}).
 */
public sealed interface Change<T> {

  /** The value after this change: {@code current}, the value sent, or null. */
  T applyTo(T current);

  /** Absent from the body: the stored value stays. */
  record Keep<T>() implements Change<T> {
    @Override
    public T applyTo(T current) {
      return current;
    }
  }

  /** Sent with a value (never null). */
  record To<T>(T value) implements Change<T> {
    public To {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public T applyTo(T current) {
      return value;
    }
  }

  /** Sent as {@code null}: the stored value is removed. */
  record Clear<T>() implements Change<T> {
    @Override
    public T applyTo(T current) {
      return null;
    }
  }

  static <T> Change<T> keep() {
    return new Keep<>();
  }

  static <T> Change<T> to(T value) {
    return new To<>(value);
  }

  static <T> Change<T> clear() {
    return new Clear<>();
  }

  /** What a field sent as {@code value} asks for: a clear when null. */
  static <T> Change<T> sent(T value) {
    return value == null ? clear() : to(value);
  }

  default boolean isClear() {
    return this instanceof Clear;
  }

  /** This change, with a clear read as setting {@code fallback}: for fields whose null means their default. */
  default Change<T> clearingTo(T fallback) {
    return isClear() ? to(fallback) : this;
  }

  /** A copy of {@code base} with each key's change applied, a cleared key removed. */
  static JsonObject merge(JsonObject base, Map<String, ? extends Change<?>> changes) {
    JsonObject merged = base.copy();
    changes.forEach((key, change) -> {
      if (change instanceof To<?> to) {
        merged.put(key, to.value());
      } else if (change.isClear()) {
        merged.remove(key);
      }
    });
    return merged;
  }
}
