/**
 * Texts the server writes itself: notifications (stored in both languages, shown in the
 * reader's), the sponsor's default welcome message. `{name}` placeholders are filled in;
 * an entry with `one`/`other` forms is chosen by the `n` parameter.
 */
export const notices = {
  'notice.comment.reply': { de: '@{handle} hat auf deinen Kommentar geantwortet.', en: '@{handle} replied to your comment.' },
  'notice.post.comment': { de: '@{handle} hat deinen Beitrag kommentiert.', en: '@{handle} commented on your post.' },
  'notice.mention': { de: '{name} hat dich {where} erwähnt: „{preview}“', en: '{name} mentioned you {where}: “{preview}”' },
  'notice.mention.post': { de: 'in einem Beitrag', en: 'in a post' },
  'notice.mention.comment': { de: 'in einem Kommentar', en: 'in a comment' },
  'notice.mention.chat': { de: 'im Chat', en: 'in a chat' },
  'notice.message.request': { de: '{name} möchte dir schreiben: „{preview}“', en: '{name} would like to message you: “{preview}”' },
  'notice.message.new': { de: 'Neue Nachricht von {name}: „{preview}“', en: 'New message from {name}: “{preview}”' },
  'notice.team.recruit': {
    de: 'Neu in deinem Team: {name} (@{handle}). Deine Begrüßung ist schon im Chat.',
    en: 'New in your team: {name} (@{handle}). Your welcome is already in the chat.',
  },
  'notice.group.request': { de: '@{handle} möchte der Gruppe „{group}“ beitreten.', en: '@{handle} asks to join the group "{group}".' },
  'notice.group.approved': { de: 'Willkommen in der Gruppe „{group}“!', en: 'Welcome to the group "{group}"!' },
  'notice.group.declined': { de: 'Deine Anfrage für „{group}“ wurde abgelehnt.', en: 'Your request to join "{group}" was declined.' },
  'notice.group.invite': { de: '@{handle} lädt dich in die Gruppe „{group}“ ein.', en: '@{handle} invites you to the group "{group}".' },
  'notice.lesson.owner': { de: '@{handle} hat die Lektion „{title}“ abgeschlossen.', en: '@{handle} completed the lesson "{title}".' },
  'notice.lesson.sponsor': { de: 'Dein Neuer @{handle} hat die Lektion „{title}“ abgeschlossen.', en: 'Your recruit @{handle} completed the lesson "{title}".' },
  'notice.lesson.sponsorUnnamed': { de: 'Dein Neuer @{handle} hat eine Lektion abgeschlossen.', en: 'Your recruit @{handle} completed a lesson.' },
  'notice.post.reclassify': {
    de: 'Dein Beitrag wurde als Werbung eingestuft und in den Marktplatz bzw. deine Angebote verschoben. Bitte kennzeichne Werbung selbst.',
    en: 'Your post was classified as advertising and moved to the marketplace or your offers. Please flag advertising yourself.',
  },
  'notice.post.hide': { de: 'Dein Beitrag wurde von der Moderation ausgeblendet.', en: 'Your post was hidden by the moderators.' },
  'notice.moderation.warning': {
    de: {
      one: 'Schon einer deiner Beiträge war nicht gekennzeichnete Werbung. Bei weiteren Verstößen kann dein Posten in Feeds für einige Tage gesperrt werden.',
      other: 'Schon {n} deiner Beiträge waren nicht gekennzeichnete Werbung. Bei weiteren Verstößen kann dein Posten in Feeds für einige Tage gesperrt werden.',
    },
    en: {
      one: 'One of your posts was unflagged advertising. Further offences can get your posting to feeds limited for some days.',
      other: '{n} of your posts were unflagged advertising. Further offences can get your posting to feeds limited for some days.',
    },
  },
  'notice.moderation.limit': {
    de: 'Du kannst bis {until} nicht in Feeds posten. Grund: {reason}',
    en: 'You cannot post to feeds until {until}. Reason: {reason}',
  },
  'notice.moderation.unlimit': { de: 'Deine Sperre für Feeds wurde aufgehoben.', en: 'Your feed posting limit was lifted.' },
  'notice.onboarding.complete': {
    de: '{name} (@{handle}) hat alle Schritte der Einarbeitung geschafft.',
    en: '{name} (@{handle}) has completed every onboarding step.',
  },
  'chat.welcomeDefault': {
    de: 'Hallo {name}, herzlich willkommen in meinem Team! Schön, dass du dabei bist. Schreib mir hier jederzeit – ich zeige dir die ersten Schritte.',
    en: 'Hi {name}, welcome to my team! Great to have you here. Write to me here any time – I will show you the first steps.',
  },
} as const satisfies Record<string, { de: string | { one: string; other: string }; en: string | { one: string; other: string } }>

export type NoticeKey = keyof typeof notices
