import type { Catalog, Translation } from './catalog.ts'

/**
 * Texts the server writes itself: notifications (stored in both languages, shown in the reader's)
 * and the sponsor's default welcome message in the chat.
 */
export const de = {
  'notice.comment.reply': '@{handle} hat auf deinen Kommentar geantwortet.',
  'notice.post.comment': '@{handle} hat deinen Beitrag kommentiert.',
  'notice.mention': '{name} hat dich {where} erwähnt: „{preview}“',
  'notice.mention.post': 'in einem Beitrag',
  'notice.mention.comment': 'in einem Kommentar',
  'notice.mention.chat': 'im Chat',
  'notice.message.request': '{name} möchte dir schreiben: „{preview}“',
  'notice.message.new': 'Neue Nachricht von {name}: „{preview}“',
  'notice.team.recruit': 'Neu in deinem Team: {name} (@{handle}). Deine Begrüßung ist schon im Chat.',
  'notice.team.partner': '{name} (@{handle}) ist jetzt Partner in deinem Team – bisher Kunde bei dir.',
  'notice.group.request': '@{handle} möchte der Gruppe „{group}“ beitreten.',
  'notice.group.approved': 'Willkommen in der Gruppe „{group}“!',
  'notice.group.declined': 'Deine Anfrage für „{group}“ wurde abgelehnt.',
  'notice.group.invite': '@{handle} lädt dich in die Gruppe „{group}“ ein.',
  'notice.lesson.owner': '@{handle} hat die Lektion „{title}“ abgeschlossen.',
  'notice.lesson.sponsor': 'Dein Neuer @{handle} hat die Lektion „{title}“ abgeschlossen.',
  'notice.lesson.sponsorUnnamed': 'Dein Neuer @{handle} hat eine Lektion abgeschlossen.',
  'notice.post.reclassify': 'Dein Beitrag wurde als Werbung eingestuft und in den Marktplatz bzw. deine Angebote verschoben. Bitte kennzeichne Werbung selbst.',
  'notice.post.hide': 'Dein Beitrag wurde von der Moderation ausgeblendet.',
  'notice.moderation.warning': {
    one: 'Schon einer deiner Beiträge war nicht gekennzeichnete Werbung. Bei weiteren Verstößen kann dein Posten in Feeds für einige Tage gesperrt werden.',
    other: 'Schon {n} deiner Beiträge waren nicht gekennzeichnete Werbung. Bei weiteren Verstößen kann dein Posten in Feeds für einige Tage gesperrt werden.',
  },
  'notice.moderation.limit': 'Du kannst bis {until} nicht in Feeds posten. Grund: {reason}',
  'notice.moderation.unlimit': 'Deine Sperre für Feeds wurde aufgehoben.',
  'notice.onboarding.complete': '{name} (@{handle}) hat alle Schritte der Einarbeitung geschafft.',
  'chat.welcomeDefault':
    'Hallo {name}, herzlich willkommen in meinem Team! Schön, dass du dabei bist. Schreib mir hier jederzeit – ich zeige dir die ersten Schritte.',
  'chat.welcomeCustomer':
    'Hallo {name}, schön, dass du da bist! Ich bin {sponsor} und deine persönliche Ansprechperson. Bei Fragen zu Produkten oder zu deiner Bestellung schreib mir einfach hier.',
  'chat.welcomeCompany':
    'Hallo {name}, herzlich willkommen bei {site}! Hier erreichst du unser Team direkt: Schreib uns, wenn du Fragen hast – wir antworten dir persönlich.',
} as const satisfies Catalog

export const en: Translation<typeof de> = {
  'notice.comment.reply': '@{handle} replied to your comment.',
  'notice.post.comment': '@{handle} commented on your post.',
  'notice.mention': '{name} mentioned you {where}: “{preview}”',
  'notice.mention.post': 'in a post',
  'notice.mention.comment': 'in a comment',
  'notice.mention.chat': 'in a chat',
  'notice.message.request': '{name} would like to message you: “{preview}”',
  'notice.message.new': 'New message from {name}: “{preview}”',
  'notice.team.recruit': 'New in your team: {name} (@{handle}). Your welcome is already in the chat.',
  'notice.team.partner': '{name} (@{handle}) is now a partner in your team – until now your customer.',
  'notice.group.request': '@{handle} asks to join the group "{group}".',
  'notice.group.approved': 'Welcome to the group "{group}"!',
  'notice.group.declined': 'Your request to join "{group}" was declined.',
  'notice.group.invite': '@{handle} invites you to the group "{group}".',
  'notice.lesson.owner': '@{handle} completed the lesson "{title}".',
  'notice.lesson.sponsor': 'Your recruit @{handle} completed the lesson "{title}".',
  'notice.lesson.sponsorUnnamed': 'Your recruit @{handle} completed a lesson.',
  'notice.post.reclassify': 'Your post was classified as advertising and moved to the marketplace or your offers. Please flag advertising yourself.',
  'notice.post.hide': 'Your post was hidden by the moderators.',
  'notice.moderation.warning': {
    one: 'One of your posts was unflagged advertising. Further offences can get your posting to feeds limited for some days.',
    other: '{n} of your posts were unflagged advertising. Further offences can get your posting to feeds limited for some days.',
  },
  'notice.moderation.limit': 'You cannot post to feeds until {until}. Reason: {reason}',
  'notice.moderation.unlimit': 'Your feed posting limit was lifted.',
  'notice.onboarding.complete': '{name} (@{handle}) has completed every onboarding step.',
  'chat.welcomeDefault': 'Hi {name}, welcome to my team! Great to have you here. Write to me here any time – I will show you the first steps.',
  'chat.welcomeCustomer':
    'Hi {name}, great to have you here! I am {sponsor}, your personal contact. With any question about products or your order, just write to me here.',
  'chat.welcomeCompany': 'Hi {name}, welcome to {site}! This is where you reach our team directly: write to us with any question – we answer you in person.',
}
