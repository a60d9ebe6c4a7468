package io.dbosee.sample;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;

/**
 * The guestbook that the greeting workflow signs, standing in for the tutorial's online one: {@code
 * POST /guestbook/record_greeting} with {@code {"name": "Mike"}} adds a signature, {@code GET
 * /guestbook} shows how many times each name signed.
 */
@Path("guestbook")
@RequestScoped
public class GuestbookResource {

  @Inject Guestbook guestbook;

  @POST
  @Path("record_greeting")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public JsonObject recordGreeting(JsonObject body) {
    if (body == null
        || !(body.get("name") instanceof JsonString name)
        || name.getString().isBlank()) {
      throw new BadRequestException(
          Response.status(Response.Status.BAD_REQUEST)
              .type(MediaType.TEXT_PLAIN)
              .entity("Send a JSON object with a non-empty \"name\", e.g. {\"name\": \"Mike\"}\n")
              .build());
    }
    int signatures = guestbook.sign(name.getString());
    return Json.createObjectBuilder()
        .add("name", name.getString())
        .add("signatures", signatures)
        .build();
  }

  /** One line per name: how many times it signed. */
  @GET
  @Produces(MediaType.TEXT_PLAIN)
  public String signatures() {
    return guestbook.all().stream()
        .map(s -> s.name() + " signed " + s.signatures() + " time(s)\n")
        .collect(Collectors.joining("", "guestbook signatures\n", ""));
  }
}
