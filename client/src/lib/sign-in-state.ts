/** What `RequireAuth` tells the sign-in page through the router's location state. */
export interface SignInState {
  /** The session ended (expired or signed out elsewhere) rather than never having started. */
  sessionEnded?: boolean;
  /** The person has just deleted their account (the account page). */
  accountDeleted?: boolean;
}
