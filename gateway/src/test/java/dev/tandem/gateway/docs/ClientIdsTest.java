package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gateway.docs.ClientIds.Identity;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Client ids: only the secret id proves an identity; the alias others see proves nothing. */
class ClientIdsTest {

  private final ClientIds ids = new ClientIds("a gateway key of enough length");

  @Test
  void aSecretIdProvesItsAlias() {
    Identity i = ids.issue();
    assertTrue(i.secret().startsWith(i.alias() + "."));
    assertEquals(Optional.of(i), ids.prove(i.secret()));
  }

  @Test
  void theAliasOrAForgedMacProvesNothing() {
    Identity i = ids.issue();
    assertEquals(Optional.empty(), ids.prove(i.alias()));
    assertEquals(Optional.empty(), ids.prove(i.alias() + ".AAAAAAAAAAAAAAAAAAAAAA"));
    assertEquals(Optional.empty(), ids.prove(i.alias() + ".not base64!"));
    assertEquals(Optional.empty(), ids.prove("." + i.secret()));
    assertEquals(Optional.empty(), ids.prove("alice-device"));
  }

  @Test
  void anotherKeyDoesNotAcceptTheId() {
    Identity i = ids.issue();
    assertEquals(Optional.empty(), new ClientIds("another key of enough length").prove(i.secret()));
    assertEquals(Optional.of(i), new ClientIds("a gateway key of enough length").prove(i.secret()));
  }

  @Test
  void everyIdIsNew() {
    assertNotEquals(ids.issue().alias(), ids.issue().alias());
  }
}
